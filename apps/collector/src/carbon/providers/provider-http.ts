import { parseWith, problemLines } from '@wattprint/protocol';
import { z } from 'zod';
import { ProviderError } from './provider.errors';

export interface ProviderRequest {
  provider: string;
  url: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Named in a 401/403 message so the operator knows which setting to fix. */
  credentialHint: string;
}

/** The URL as safe to show: path and query, never credentials. */
function shown(url: URL): string {
  return `${url.origin}${url.pathname}${url.search}`;
}

/**
 * GETs a provider's JSON and checks its shape. Every failure becomes a ProviderError that says what
 * was asked, what came back and what to fix; nothing is returned unless the whole body is valid.
 */
export async function getJson<S extends z.ZodType>(req: ProviderRequest, schema: S): Promise<z.output<S>> {
  let res: Response;
  try {
    res = await fetch(req.url, { headers: { accept: 'application/json', ...req.headers }, signal: AbortSignal.timeout(req.timeoutMs) });
  } catch (error) {
    // Checked by name: the abort's DOMException is not always an `instanceof Error` (another realm).
    const e = error as { name?: string; message?: string; cause?: { message?: string } };
    const why = e?.name === 'TimeoutError' ? `no answer within ${req.timeoutMs} ms` : (e?.cause?.message ?? e?.message ?? String(error));
    throw new ProviderError(req.provider, 'network', `GET ${shown(req.url)} failed: ${why}`);
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    throw new ProviderError(
      req.provider,
      'auth',
      `GET ${shown(req.url)} answered ${res.status} ${res.statusText}: check ${req.credentialHint}`,
      res.status,
    );
  }
  if (!res.ok) {
    throw new ProviderError(
      req.provider,
      'http',
      `GET ${shown(req.url)} answered ${res.status} ${res.statusText}: ${text.slice(0, 200)}`,
      res.status,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ProviderError(
      req.provider,
      'malformed',
      `GET ${shown(req.url)} answered a body that is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  const parsed = parseWith(schema, body);
  if (!parsed.ok) {
    throw new ProviderError(
      req.provider,
      'malformed',
      `GET ${shown(req.url)} answered an unexpected shape: ${problemLines(parsed.problems).slice(0, 5).join('; ')}`,
    );
  }
  return parsed.value;
}

/** An ISO 8601 time with a zone as providers write it, seconds optional ("2026-11-21T21:00Z"), read into epoch ms. */
export const ProviderTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/, 'expected an ISO 8601 time with a zone')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'expected a real calendar time')
  .transform((s) => Date.parse(s));
