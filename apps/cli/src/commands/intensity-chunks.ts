/**
 * Splits an intensity file into request bodies the collector takes one at a time. CSV streams: each
 * chunk repeats the header and says which line of the file its first row is, so the collector's
 * problems name lines of the file, not of the chunk.
 */

export interface CsvChunk {
  /** Line number in the file of the chunk's first data row (the header is line 1 or later). */
  firstLine: number;
  /** Header line, newline, then the rows. */
  body: string;
  /** Data lines in the chunk (blank lines included: the collector skips them). */
  lines: number;
}

/** Groups CSV lines into chunks of `rowsPerChunk` data lines, each led by the header line. */
export async function* csvChunks(lines: AsyncIterable<string>, rowsPerChunk: number): AsyncGenerator<CsvChunk> {
  let header: string | null = null;
  let lineNo = 0;
  let rows: string[] = [];
  let firstLine = 0;
  let sent = 0;
  for await (const line of lines) {
    lineNo++;
    if (header === null) {
      if (line.trim() === '') continue;
      header = line;
      continue;
    }
    if (rows.length === 0) firstLine = lineNo;
    rows.push(line);
    if (rows.length >= rowsPerChunk) {
      yield { firstLine, body: `${header}\n${rows.join('\n')}\n`, lines: rows.length };
      sent++;
      rows = [];
    }
  }
  if (rows.length > 0) yield { firstLine, body: `${header}\n${rows.join('\n')}\n`, lines: rows.length };
  // A file without data rows still goes to the collector once, so its verdict on the header (or on
  // its absence) is what the person sees.
  else if (sent === 0) yield { firstLine: 2, body: header === null ? '' : `${header}\n`, lines: 0 };
}

export interface JsonChunk {
  /** Index in the file's array of the chunk's first element. */
  index: number;
  elements: unknown[];
}

/**
 * JSON bodies stay under this size: the collector's JSON body parser refuses large bodies (Nest's
 * default limit is 100 kB), while CSV bodies stream and have no such limit.
 */
export const MAX_JSON_CHUNK_BYTES = 90_000;

/** Slices an array into chunks of at most `perChunk` elements and about `maxBytes` of JSON. */
export function* jsonChunks(elements: readonly unknown[], perChunk: number, maxBytes = MAX_JSON_CHUNK_BYTES): Generator<JsonChunk> {
  let start = 0;
  let bytes = 2;
  for (let i = 0; i < elements.length; i++) {
    const size = Buffer.byteLength(JSON.stringify(elements[i]) ?? 'null') + 1;
    if (i > start && (i - start >= perChunk || bytes + size > maxBytes)) {
      yield { index: start, elements: elements.slice(start, i) };
      start = i;
      bytes = 2;
    }
    bytes += size;
  }
  if (start < elements.length) yield { index: start, elements: elements.slice(start) };
}
