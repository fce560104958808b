import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** The lines of a byte stream (LF or CRLF), read as they arrive so a large upload never sits in memory whole. */
export function linesOf(stream: Readable): AsyncIterable<string> {
  stream.setEncoding('utf8');
  return createInterface({ input: stream, crlfDelay: Infinity });
}
