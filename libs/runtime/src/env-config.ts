import { z } from 'zod';

/**
 * Configuration from the environment, the same way in every program: one zod schema whose keys are the
 * variable names, read once at start, and on failure one error naming every bad variable with the value
 * given and what was expected, so a bad deployment is fixed in one go, not one restart per variable.
 */

/** The exit status of every Wattprint program started with a bad configuration or command line. */
export const EXIT_CONFIG = 2;

export interface ConfigProblem {
  /** The environment variable (or config-file key) at fault. */
  variable: string;
  /** What was given, as printed: quoted text, `(unset)`, or `(hidden)` for a secret. */
  shown: string;
  /** What was expected, e.g. `an integer from 0 to 65535`. */
  expected: string;
  /** A whole line said instead, for a problem found after parsing (`WATTPRINT_SOURCES: no source found …`). */
  text?: string;
}

export function formatConfigProblem(p: ConfigProblem): string {
  return p.text ?? `${p.variable}=${p.shown}: expected ${p.expected}`;
}

/** A problem worded as one line, `VARIABLE: what is wrong and what to do`. */
function fromLine(line: string): ConfigProblem {
  const variable = /^([A-Za-z0-9_.-]+):/.exec(line)?.[1] ?? '(configuration)';
  return { variable, shown: '', expected: '', text: line };
}

/** Thrown once at start-up; its message lists every problem, one indented line each. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];

  constructor(
    problems: Array<ConfigProblem | string>,
    readonly what = 'configuration',
  ) {
    const list = problems.map((p) => (typeof p === 'string' ? fromLine(p) : p));
    super(`invalid ${what}:\n${list.map((p) => `  ${formatConfigProblem(p)}`).join('\n')}`);
    this.problems = list;
    this.name = 'ConfigError';
  }
}

/** A URL with any user and password replaced, so it can be printed. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@');
}

export interface EnvSecrets {
  /** Variables whose value is never printed (keys, tokens, passwords). */
  hidden?: readonly string[];
  /** URL variables printed with their user and password replaced. */
  urls?: readonly string[];
}

/** How a given value is shown in a problem line. */
export function showValue(variable: string, value: string | undefined, secrets: EnvSecrets = {}): string {
  if (value === undefined) return '(unset)';
  if (secrets.hidden?.includes(variable)) return '(hidden)';
  return JSON.stringify(secrets.urls?.includes(variable) ? redactUrl(value) : value);
}

/** The variables a schema names, each as given: an empty variable counts as unset. */
function inputOf(keys: readonly string[], env: Record<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries(keys.map((k) => [k, env[k] === '' ? undefined : env[k]]));
}

/** zod words a missing value as "Invalid input: expected string, received undefined"; say what is wanted instead. */
function expectedOf(issue: z.core.$ZodIssue): string {
  return issue.message.replace(/^Invalid input: /, '').replace(/^expected /, '');
}

/**
 * Parses the environment with `schema` (keys are variable names; refinements that span variables name
 * theirs with `path: [VARIABLE]`). Throws a ConfigError naming every bad variable at once.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
  secrets: EnvSecrets = {},
  what?: string,
): z.output<S> {
  const input = inputOf(Object.keys(schema.shape), env);
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const issue of parsed.error.issues) {
    const variable = String(issue.path[0] ?? '(configuration)');
    // One line per variable: the first thing wrong with it is what to fix.
    if (seen.has(variable)) continue;
    seen.add(variable);
    problems.push({ variable, shown: showValue(variable, input[variable], secrets), expected: expectedOf(issue) });
  }
  throw new ConfigError(problems, what);
}

// Schema pieces for variables. Each failure message is what was expected, worded for a person.

/** An integer from `min` to `max`, written in decimal digits ("1e3" and "12abc" are refused). */
export function envInt(min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const expected = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  return z
    .string({ error: expected })
    .trim()
    .regex(/^-?\d+$/, expected)
    .transform(Number)
    .pipe(z.number().int(expected).min(min, expected).max(max, expected));
}

/** A number above zero ("0.5", "2"). */
export function envPositiveNumber() {
  const expected = 'a number > 0';
  return z
    .string({ error: expected })
    .trim()
    .regex(/^\d+(\.\d+)?$/, expected)
    .transform(Number)
    .pipe(z.number().positive(expected));
}

/** One of a fixed set of words. */
export function envEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `one of ${values.join(', ')}` });
}

/** true/false (also 1/0, yes/no). */
export function envBoolean() {
  const expected = 'true or false';
  return z
    .string({ error: expected })
    .trim()
    .toLowerCase()
    .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: expected }))
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
}

/** A URL with one of `protocols` (each like `https:`). */
export function envUrl(protocols: readonly string[]) {
  const expected = `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`;
  return z.string({ error: expected }).refine((raw) => {
    try {
      return protocols.includes(new URL(raw).protocol);
    } catch {
      return false;
    }
  }, expected);
}

/** Non-empty text of at most `max` characters. */
export function envText(max = 4096, min = 1) {
  const expected = min > 1 ? `at least ${min} characters` : `text of 1 to ${max} characters`;
  return z.string({ error: expected }).min(min, expected).max(max, `at most ${max} characters`);
}
