import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json';

const HEX_SHA256 = /^[0-9a-f]{64}$/;

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

function bodyOf(message: object): Record<string, unknown> {
  const { signature: _ignored, ...body } = message as Record<string, unknown>;
  return body;
}

/** HMAC-SHA256 of the canonical JSON of `message` without its `signature` member, as lowercase hex. */
export function sign(message: object, key: string | Buffer): string {
  return hmac(key, canonicalJson(bodyOf(message))).toString('hex');
}

/**
 * Returns a copy of `message` carrying its signature, with its members in canonical (sorted) order
 * at every depth. Carried as JSON (a queue, the spool) it keeps that order, which lets `verify` take
 * its fast path.
 */
export function signed<T extends object>(message: T, key: string | Buffer): T & { signature: string } {
  const text = canonicalJson(bodyOf(message));
  return { ...(JSON.parse(text) as T), signature: hmac(key, text).toString('hex') };
}

/**
 * True when `message.signature` is the HMAC of the rest under `key`; compares in constant time.
 *
 * Fast path: JSON.stringify writes members in the order they were created, which for a message made
 * by `signed` and parsed from JSON is the canonical order, so it yields the canonical text at about
 * half of canonicalJson's cost (a 40-sample batch: 28 µs against 48 µs on Node 20). A MAC
 * authenticates exactly the text it was computed over, and signers MAC only canonical text, so a
 * match there is a match of the canonical text. Messages whose members arrive in another order take
 * the canonical path.
 */
export function verify(message: { signature?: unknown }, key: string | Buffer): boolean {
  if (typeof message.signature !== 'string' || !HEX_SHA256.test(message.signature)) return false;
  const given = Buffer.from(message.signature, 'hex');
  const body = bodyOf(message);
  const plain = JSON.stringify(body);
  if (timingSafeEqual(given, hmac(key, plain))) return true;
  const canonical = canonicalJson(body);
  return canonical !== plain && timingSafeEqual(given, hmac(key, canonical));
}
