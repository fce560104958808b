import { parseWith, problemLines } from '@wattprint/protocol';
import type { z } from 'zod';
import type { DeadLetterReason } from './dead-letter';

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: DeadLetterReason; detail: string };

/**
 * First look at a queued message: an object without a signature is `unsigned`, anything the schema
 * refuses is `malformed` (with one line per bad field). The signature itself is checked later,
 * once the agent's key is known.
 */
export function parseSignedMessage<S extends z.ZodType>(
  schema: S,
  data: unknown,
  isCertainlyValid?: (data: unknown) => data is z.output<S>,
): Checked<z.output<S>> {
  // a message the fast test vouches for is used as it is; any other gets the schema's verdict
  if (isCertainlyValid?.(data)) return { ok: true, value: data };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      reason: 'malformed',
      detail: `(root): expected a JSON object; got ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}`,
    };
  }
  if (!('signature' in data) || (data as { signature?: unknown }).signature === undefined) {
    return { ok: false, reason: 'unsigned', detail: 'signature: missing; every message must carry the HMAC-SHA256 of its agent key' };
  }
  const parsed = parseWith(schema, data);
  if (!parsed.ok) return { ok: false, reason: 'malformed', detail: problemLines(parsed.problems).join('\n') };
  return { ok: true, value: parsed.value };
}
