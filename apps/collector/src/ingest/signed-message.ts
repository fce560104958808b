import { parseWith, problemLines } from '@wattprint/protocol';
import type { z } from 'zod';
import type { DeadLetterReason } from './dead-letter';

/**
 * A batch or job event is at most 4 levels deep (batch → samples → sample → value; event → metadata
 * → labels → value). Anything much deeper is refused before the schema, whose error messages write
 * the offending value out, would recurse through it.
 */
export const MAX_MESSAGE_DEPTH = 16;

/** True when `value` nests arrays or objects deeper than `max`; iterative, so no depth overflows the stack. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

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
  if (nestedDeeperThan(data, MAX_MESSAGE_DEPTH)) {
    return {
      ok: false,
      reason: 'malformed',
      detail: `(root): nested deeper than ${MAX_MESSAGE_DEPTH} levels; a message is at most 4 deep`,
    };
  }
  if (!('signature' in data) || (data as { signature?: unknown }).signature === undefined) {
    return { ok: false, reason: 'unsigned', detail: 'signature: missing; every message must carry the HMAC-SHA256 of its agent key' };
  }
  const parsed = parseWith(schema, data);
  if (!parsed.ok) return { ok: false, reason: 'malformed', detail: problemLines(parsed.problems).join('\n') };
  return { ok: true, value: parsed.value };
}
