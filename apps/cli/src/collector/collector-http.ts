import { CliInputError } from '../cli-error';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Where the collector's API is and the bearer token to show it. */
export interface CollectorTarget {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  token: string;
}

/** One answer of the collector: the status, the raw text, and the text parsed as JSON when it is JSON. */
export interface CollectorAnswer {
  status: number;
  text: string;
  body: unknown;
}

/** `--url`, then WATTPRINT_URL, then the default; anything but http(s) is refused naming the flag. */
export function collectorUrl(option: string | undefined, env: Record<string, string | undefined>): string {
  const url = option ?? env.WATTPRINT_URL ?? DEFAULT_URL;
  if (!/^https?:\/\//.test(url)) throw new CliInputError([`--url: got ${JSON.stringify(url)}; expected an http:// or https:// URL`]);
  return url;
}

/** Sends one request; a collector that cannot be reached becomes an error the person can act on. */
export async function collectorRequest(
  target: CollectorTarget,
  url: URL,
  init: { method: 'GET' | 'POST'; contentType?: string; body?: string },
): Promise<CollectorAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${target.token}` };
  if (init.contentType) headers['content-type'] = init.contentType;
  let res: Response;
  try {
    res = await fetch(url, { method: init.method, headers, body: init.body });
  } catch (error) {
    const e = error as { message?: string; cause?: { message?: string; code?: string } };
    throw new CliInputError([
      `cannot reach the collector at ${target.url}: ${e.cause?.code ?? e.cause?.message ?? e.message ?? String(error)} (set --url or WATTPRINT_URL)`,
    ]);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: res.status, text, body };
}

/** The collector's own words for an answer: its `message` when it sent one, else the start of the text. */
export function messageOf(answer: CollectorAnswer): string {
  const message = (answer.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : answer.text.slice(0, 300);
}

/** A 401 or 403 as one line that says which token to pass; null for any other status. */
export function refusedToken(answer: CollectorAnswer, needed: string): CliInputError | null {
  if (answer.status !== 401 && answer.status !== 403) return null;
  return new CliInputError([
    `the collector refused the token (${answer.status}): ${messageOf(answer)} (set --token or WATTPRINT_TOKEN to ${needed})`,
  ]);
}
