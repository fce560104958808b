import { CliInputError } from '../cli-error';

/** The collector's answer to one import request (its ImportSummary). */
export interface ImportSummary {
  rows: number;
  imported: number;
  rejected: number;
  problems: Array<{ line?: number; index?: number; column: string; value: string; expected: string }>;
  problemsOmitted: number;
}

export interface ImportTarget {
  /** Collector base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  token: string;
  kind: 'actual' | 'forecast';
  source: string;
}

/** Posts one chunk to POST /api/v1/intensity/import; any answer but 200 becomes an error the person can act on. */
export async function postImport(
  target: ImportTarget,
  body: string,
  contentType: 'text/csv' | 'application/json',
  position: { line?: number; index?: number },
): Promise<ImportSummary> {
  const url = new URL('/api/v1/intensity/import', target.url);
  url.searchParams.set('kind', target.kind);
  url.searchParams.set('source', target.source);
  if (position.line !== undefined) url.searchParams.set('line', String(position.line));
  if (position.index !== undefined) url.searchParams.set('index', String(position.index));
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${target.token}` }, body });
  } catch (error) {
    const e = error as { message?: string; cause?: { message?: string; code?: string } };
    throw new CliInputError([`cannot reach the collector at ${target.url}: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)} (set --url or WATTPRINT_URL)`]);
  }
  const text = await res.text();
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    answer = undefined;
  }
  if (res.status === 200 && answer && typeof answer === 'object' && 'imported' in answer) return answer as ImportSummary;
  const a = (answer ?? {}) as { message?: unknown; problems?: Array<Record<string, unknown>> };
  if (res.status === 401 || res.status === 403) {
    throw new CliInputError([`the collector refused the token (${res.status}): ${typeof a.message === 'string' ? a.message : text.slice(0, 200)} (set --token or WATTPRINT_TOKEN to an admin token)`]);
  }
  if (Array.isArray(a.problems) && a.problems.length > 0) {
    throw new CliInputError(a.problems.map((p) => ('line' in p ? `line ${p.line}, ${p.column}: got ${JSON.stringify(p.value)}; expected ${p.expected}` : `${p.path ?? p.column}: ${p.message ?? p.expected}`)));
  }
  throw new CliInputError([`the collector answered ${res.status}: ${text.slice(0, 300)}`]);
}
