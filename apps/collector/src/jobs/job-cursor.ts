import type { JobCursor } from './job.repository';

export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super('expected a cursor returned as nextCursor by a previous page');
    this.name = 'InvalidCursorError';
  }
}

/** Opaque to clients (base64url JSON), so the order's keys can change without breaking callers' code. */
export function encodeCursor(cursor: JobCursor): string {
  return Buffer.from(JSON.stringify([cursor.firstSeenAt, cursor.id]), 'utf8').toString('base64url');
}

export function decodeCursor(text: string): JobCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError(text);
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string') {
    throw new InvalidCursorError(text);
  }
  return { firstSeenAt: parsed[0], id: parsed[1] };
}
