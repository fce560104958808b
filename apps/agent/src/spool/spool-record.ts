import { crc32 } from 'node:zlib';

/**
 * One spool record: [u32 LE payload length][u32 LE CRC-32 of the payload][payload]. The length finds the
 * next record; the checksum tells a complete record from one torn by a crash in the middle of a write.
 */
export const RECORD_HEADER_BYTES = 8;

export function encodeRecord(payload: Buffer): Buffer {
  const header = Buffer.alloc(RECORD_HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

export type DecodeResult = { kind: 'record'; payload: Buffer; bytes: number } | { kind: 'end' } | { kind: 'torn'; reason: string };

/** Decodes the record at `offset` of `data`; `torn` for a short or corrupt one. */
export function decodeRecord(data: Buffer, offset: number): DecodeResult {
  if (offset === data.length) return { kind: 'end' };
  if (data.length - offset < RECORD_HEADER_BYTES)
    return { kind: 'torn', reason: `${data.length - offset} bytes left, a header needs ${RECORD_HEADER_BYTES}` };
  const length = data.readUInt32LE(offset);
  const checksum = data.readUInt32LE(offset + 4);
  const end = offset + RECORD_HEADER_BYTES + length;
  if (end > data.length) return { kind: 'torn', reason: `record of ${length} bytes cut at ${data.length - offset - RECORD_HEADER_BYTES}` };
  const payload = data.subarray(offset + RECORD_HEADER_BYTES, end);
  if (crc32(payload) !== checksum) return { kind: 'torn', reason: 'checksum mismatch' };
  return { kind: 'record', payload, bytes: RECORD_HEADER_BYTES + length };
}
