import { type Batch, CONTROL_CHARACTER } from '@wattprint/protocol';

/**
 * A hand-written test that a queued message is certainly a valid `Batch`, for the hot path of
 * ingest: it reads the message in place, where zod's parse copies every sample (a fifth of the
 * collector's CPU per batch went to the parse and the garbage it left).
 *
 * It accepts a subset of what the `Batch` schema of @wattprint/protocol accepts, never more
 * (batch-acceptor.spec.ts checks this against the schema on thousands of altered batches). It
 * gives no reasons: a message it does not accept is parsed by the schema, which either accepts it
 * after all or names every bad field, so the dead-letter details stay the schema's own.
 */
export function isCertainlyBatch(data: unknown): data is Batch {
  if (!isPlainObject(data)) return false;
  const keys = Object.keys(data);
  // exactly the keys of a batch (the schema is strict); each is checked for a value below
  if (keys.length !== BATCH_KEYS.size || !keys.every((k) => BATCH_KEYS.has(k))) return false;
  const b = data as Record<string, unknown>;
  if (b.version !== 1) return false;
  if (!isIdentifier(b.agentId) || !isIdentifier(b.bootId)) return false; // Identifier excludes '/' already
  if (!isCount(b.firstSeq) || !isCount(b.sentAt)) return false;
  if (!isText(b.node, 255)) return false;
  if (typeof b.signature !== 'string' || !SIGNATURE.test(b.signature)) return false;
  const samples = b.samples;
  if (!Array.isArray(samples) || samples.length < 1 || samples.length > 100_000) return false;
  const firstSeq = b.firstSeq as number;
  for (let i = 0; i < samples.length; i++) {
    if (!isCertainlySample(samples[i], firstSeq + i)) return false;
  }
  return true;
}

const BATCH_KEYS = new Set(['version', 'agentId', 'bootId', 'firstSeq', 'node', 'sentAt', 'samples', 'signature']);
const SAMPLE_KEYS = new Set(['seq', 't0', 't1', 'device', 'kind', 'jobId', 'energyJ', 'powerW', 'utilization', 'source']);
const SIGNATURE = /^[0-9a-f]{64}$/;
const IDENTIFIER = /^[A-Za-z0-9._:@-]+$/;
const KINDS = new Set(['gpu', 'cpu', 'dram']);
const SOURCES = new Set(['nvml', 'nvidia-smi', 'rapl', 'replay']);

function isCertainlySample(data: unknown, seq: number): boolean {
  if (!isPlainObject(data)) return false;
  const s = data as Record<string, unknown>;
  // exactly the ten keys of a sample, all its own (the schema is strict)
  let known = 0;
  for (const key in s) {
    if (!SAMPLE_KEYS.has(key) || !Object.prototype.hasOwnProperty.call(s, key)) return false;
    known++;
  }
  if (known !== SAMPLE_KEYS.size) return false;
  if (s.seq !== seq) return false; // consecutive from firstSeq; seq is then a non-negative integer
  if (!isCount(s.t0) || !isCount(s.t1) || (s.t1 as number) <= (s.t0 as number)) return false;
  if (!isText(s.device, 128)) return false;
  if (typeof s.kind !== 'string' || !KINDS.has(s.kind)) return false;
  if (s.jobId !== null && !isText(s.jobId, 128)) return false;
  if (!isNonNegative(s.energyJ)) return false;
  if (s.powerW !== null && !isNonNegative(s.powerW)) return false;
  if (s.utilization !== null && (!isNonNegative(s.utilization) || (s.utilization as number) > 100)) return false;
  return typeof s.source === 'string' && SOURCES.has(s.source);
}

function isPlainObject(data: unknown): data is object {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return false;
  const proto = Object.getPrototypeOf(data);
  return proto === Object.prototype || proto === null;
}

/** printableText(1, max) of libs/protocol: a string of 1 to max characters with no control character. */
function isText(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= max && !CONTROL_CHARACTER.test(value);
}

function isIdentifier(value: unknown): boolean {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128 && IDENTIFIER.test(value);
}

/** A non-negative safe integer (the schema's `int().nonnegative()`). */
function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isNonNegative(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}
