/**
 * Which database failures prove a write wrong, and which only say "not now".
 *
 * The rule is the other way round from a list of transient errors: a message is set aside only when
 * the database refuses its data — PostgreSQL SQLSTATE classes 22 (data exception: a NUL in text, a
 * number out of range) and 23 (integrity constraint), SQLite's constraint and type errors — and that
 * on a write of that message alone. Every other failure (a refused or dropped connection, a server
 * shutting down or not yet accepting connections, a full disk, a bug) pauses ingest and retries: an
 * error we did not foresee must never cost a batch.
 */
const PG_DATA_ERROR = /^2[23]...$/;
const SQLITE_DATA_ERROR = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

export function isDataError(error: unknown): boolean {
  // Duck-typed rather than `instanceof Error`: errors raised by Node's own modules may come from
  // another realm (as under Jest's sandbox) and fail that test.
  if (error === null || typeof error !== 'object') return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (PG_DATA_ERROR.test(code) || SQLITE_DATA_ERROR.test(code))) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isDataError(cause);
}

/** The SQLSTATE or driver code of an error, for logs and dead-letter details. */
export function errorCode(error: unknown): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Doubling back-off from `minMs`, capped at `maxMs`. */
export function backoffMs(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
}
