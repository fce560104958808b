import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** HMAC-SHA256 of the canonical JSON of `message` without its `signature` member, as lowercase hex. */
export function sign(message: object, key: string | Buffer): string {
  const { signature: _ignored, ...body } = message as Record<string, unknown>;
  return createHmac('sha256', key).update(canonicalJson(body)).digest('hex');
}

/** Returns a copy of `message` carrying its signature. */
export function signed<T extends object>(message: T, key: string | Buffer): T & { signature: string } {
  return { ...message, signature: sign(message, key) };
}

/** True when `message.signature` is the HMAC of the rest under `key`; compares in constant time. */
export function verify(message: { signature?: unknown }, key: string | Buffer): boolean {
  if (typeof message.signature !== 'string' || !/^[0-9a-f]{64}$/.test(message.signature)) return false;
  const expected = Buffer.from(sign(message, key), 'hex');
  const given = Buffer.from(message.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
