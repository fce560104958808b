import type { z } from 'zod';

/**
 * One problem found in an input, phrased for a person: where, what was there, what was expected.
 * (libs/protocol has its own copy of this idea; estimation is pure and may not depend on it.)
 */
export interface InputProblem {
  /** Dotted path to the field, e.g. `model.layers.3.units`; `(root)` for the document itself. */
  path: string;
  message: string;
}

/** Raised by every public entry point when its input cannot be used; carries one problem per bad field. */
export class SpecError extends Error {
  constructor(readonly problems: InputProblem[]) {
    super(problems.map(problemLine).join('\n'));
    this.name = 'SpecError';
  }

  /** Prefixes every path, e.g. with the index of an observation in a file. */
  under(prefix: string): SpecError {
    return new SpecError(this.problems.map((p) => ({ path: p.path === '(root)' ? prefix : `${prefix}.${p.path}`, message: p.message })));
  }
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function problemLine(problem: InputProblem): string {
  return `${problem.path}: ${problem.message}`;
}

/** A problem about a value: `got <value>; expected <what>`. */
export function valueProblem(path: string, value: unknown, expected: string): InputProblem {
  return { path, message: `got ${describeValue(value)}; expected ${expected}` };
}

function expectedPart(message: string): string {
  // zod's own messages read "Invalid input: expected number, received string"; ours start with "expected".
  const at = message.indexOf('expected ');
  return at >= 0 ? message.slice(at + 'expected '.length).replace(/, received \w+$/, '') : message;
}

/** Turns zod issues into one line each that names the path, the value found and what was expected. */
export function problemsFromZod(error: z.ZodError): InputProblem[] {
  return error.issues.map((issue): InputProblem => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      return {
        path: formatPath(keys.length === 1 ? [...issue.path, keys[0]] : issue.path),
        message: `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    const input = (issue as { input?: unknown }).input;
    if (issue.code === 'invalid_union' && 'discriminator' in issue && typeof issue.discriminator === 'string') {
      const key = issue.discriminator;
      const found = input && typeof input === 'object' ? (input as Record<string, unknown>)[key] : undefined;
      const path = issue.path[issue.path.length - 1] === key ? issue.path : [...issue.path, key];
      return valueProblem(
        formatPath(path),
        found,
        `one of ${(issue as { options?: unknown[] }).options?.join(', ') ?? 'the listed values'}`,
      );
    }
    const path = formatPath(issue.path);
    // Cross-field checks say "missing; ..." or "got ...; expected ..." themselves: zod gives them the parent object as input.
    if (issue.code === 'custom' && /^(missing|got [^;]+); /.test(issue.message)) return { path, message: issue.message };
    if (input === undefined) return { path, message: `missing; expected ${expectedPart(issue.message)}` };
    return valueProblem(path, input, expectedPart(issue.message));
  });
}

/** Parses `input` with `schema`, throwing a SpecError that lists every problem rather than the first. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  throw new SpecError(problemsFromZod(result.error));
}
