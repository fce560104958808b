import type { z } from 'zod';

/** One problem found in an input, phrased for a person: where, what was there, what was expected. */
export interface InputProblem {
  /** Dotted path to the field, e.g. `samples.3.energyJ`; `(root)` for the document itself. */
  path: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: InputProblem[] };

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Turns zod issues into one line each that names the path, the value found and what was expected. */
export function problemsFromZod(error: z.ZodError): InputProblem[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys;
      return {
        path: keys.length === 1 ? formatPath([...issue.path, keys[0]]) : path,
        message: `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`,
      };
    }
    const input = (issue as { input?: unknown }).input;
    const found = 'input' in issue ? `; got ${describeValue(input)}` : '';
    return { path, message: `${issue.message}${found}` };
  });
}

/** Parses `input` with `schema`, collecting every problem rather than stopping at the first. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: problemsFromZod(result.error) };
}

export function problemLines(problems: InputProblem[]): string[] {
  return problems.map((p) => `${p.path}: ${p.message}`);
}
