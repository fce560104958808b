/**
 * Whether a database error means "the database is unreachable or busy right now" (retry later,
 * nothing was committed or the commit is idempotent) rather than "this write is wrong".
 */
const NODE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// PostgreSQL SQLSTATEs: 08xxx connection exceptions, 40001 serialization failure, 40P01 deadlock,
// 53xxx insufficient resources, 57P01..57P03 shutdown / cannot connect now.
const PG_TRANSIENT = /^(08...|40001|40P01|53...|57P0[1-3])$/;
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|CANTOPEN|FULL|READONLY|PROTOCOL)/;
const PG_DRIVER_MESSAGES =
  /Connection terminated|connection error|Client has encountered|timeout exceeded when trying to connect|server closed the connection|Connection ended/i;

export function isTransientDbError(error: unknown): boolean {
  // Duck-typed rather than `instanceof Error`: errors raised by Node's own modules may come from
  // another realm (as under Jest's sandbox) and fail that test.
  if (error === null || typeof error !== 'object') return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NODE_NETWORK_CODES.has(code) || PG_TRANSIENT.test(code) || SQLITE_TRANSIENT.test(code)) return true;
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && PG_DRIVER_MESSAGES.test(message)) return true;
  const nested = (error as { errors?: unknown }).errors; // AggregateError from dual-stack connects
  if (Array.isArray(nested) && nested.some(isTransientDbError)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isTransientDbError(cause);
}

/** Doubling back-off from `minMs`, capped at `maxMs`. */
export function backoffMs(attempt: number, minMs: number, maxMs: number): number {
  return Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
}
