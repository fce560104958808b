import { createInterface } from 'node:readline';
import { type Readable, Transform } from 'node:stream';
import { PayloadTooLargeException } from '@nestjs/common';

/** The lines of a byte stream (LF or CRLF), read as they arrive so a large upload never sits in memory whole. */
export function linesOf(stream: Readable): AsyncIterable<string> {
  stream.setEncoding('utf8');
  return createInterface({ input: stream, crlfDelay: Infinity });
}

/** The 413 of an upload past `limit` bytes, naming the limit and the variable that sets it. */
export function tooLarge(limit: number, size?: number): PayloadTooLargeException {
  return new PayloadTooLargeException({
    statusCode: 413,
    error: 'payload_too_large',
    message: `the upload is ${size === undefined ? 'more than' : size} bytes; at most ${limit} (WATTPRINT_IMPORT_LIMIT_BYTES): split it (wattprint intensity import does)`,
  });
}

/**
 * The stream's bytes up to `limit`; past it the stream fails with a 413. Rows read before that are
 * already stored (an import is idempotent: a revision replaces a stored value), as the answer says.
 */
export function limitBytes(stream: Readable, limit: number): Readable {
  let seen = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(tooLarge(limit));
      else done(null, chunk);
    },
  });
  stream.on('error', (error) => counted.destroy(error));
  return stream.pipe(counted);
}
