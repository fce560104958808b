import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger';
import { decodeRecord, encodeRecord } from './spool-record';

interface Segment {
  n: number;
  size: number;
  /** Records not yet replayed. */
  records: number;
}

export interface SpoolStats {
  records: number;
  bytes: number;
  droppedRecords: number;
  tornRecords: number;
}

const SEGMENT = /^seg-(\d{16})\.log$/;
const segmentName = (n: number) => `seg-${String(n).padStart(16, '0')}.log`;

/**
 * A bounded, crash-safe FIFO of records on disk, for messages Redis could not take. Records are appended to
 * numbered segment files and fsynced; replay reads the oldest first and a record is released (`ack`) only
 * after the caller delivered it. Over `maxBytes`, whole oldest segments are dropped, counted and logged.
 * A torn tail left by a crash is cut off at open. Delivery is at least once: a crash between delivery and
 * ack replays that record, which the BullMQ job id and the collector's batch key both deduplicate.
 */
export class DiskSpool {
  private segments: Segment[] = [];
  private cursor = 0; // offset of the next unreplayed record in the oldest segment
  private writer: FileHandle | null = null;
  private readonly segmentMaxBytes: number;
  private stats = { droppedRecords: 0, tornRecords: 0 };

  private constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly log: Logger,
  ) {
    this.segmentMaxBytes = Math.max(1024, Math.floor(maxBytes / 8));
  }

  static async open(dir: string, maxBytes: number, log: Logger): Promise<DiskSpool> {
    const spool = new DiskSpool(dir, maxBytes, log);
    await spool.load();
    return spool;
  }

  private path(n: number): string {
    return join(this.dir, segmentName(n));
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const ns = (await readdir(this.dir))
      .map((f) => SEGMENT.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const cursor = await this.readCursor();
    for (const n of ns) {
      const data = await readFile(this.path(n));
      const start = cursor && cursor.n === n ? Math.min(cursor.offset, data.length) : 0;
      let offset = 0;
      let records = 0;
      for (;;) {
        const r = decodeRecord(data, offset);
        if (r.kind === 'end') break;
        if (r.kind === 'torn') {
          this.stats.tornRecords++;
          this.log.warn('spool: torn record cut off', { segment: segmentName(n), offset, reason: r.reason });
          await truncate(this.path(n), offset);
          break;
        }
        if (offset >= start) records++;
        offset += r.bytes;
      }
      if (cursor && cursor.n > n) {
        await rm(this.path(n), { force: true }); // fully replayed before the crash
        continue;
      }
      this.segments.push({ n, size: offset, records });
      if (cursor && cursor.n === n) this.cursor = start;
    }
    if (this.segments.length === 0 || !cursor || cursor.n !== this.segments[0].n) this.cursor = 0;
  }

  private async readCursor(): Promise<{ n: number; offset: number } | null> {
    try {
      const [n, offset] = (await readFile(join(this.dir, 'cursor'), 'utf8')).trim().split(' ').map(Number);
      return Number.isInteger(n) && Number.isInteger(offset) ? { n, offset } : null;
    } catch {
      return null;
    }
  }

  get records(): number {
    return this.segments.reduce((s, g) => s + g.records, 0);
  }

  get bytes(): number {
    return this.segments.reduce((s, g) => s + g.size, 0);
  }

  getStats(): SpoolStats {
    return { records: this.records, bytes: this.bytes, ...this.stats };
  }

  private async rotate(): Promise<void> {
    await this.writer?.close();
    this.writer = null;
    const n = (this.segments.at(-1)?.n ?? 0) + 1;
    this.segments.push({ n, size: 0, records: 0 });
  }

  private async dropOldest(): Promise<void> {
    const oldest = this.segments.shift()!;
    this.stats.droppedRecords += oldest.records;
    this.cursor = 0;
    await rm(this.path(oldest.n), { force: true });
    this.log.warn('spool full: dropped oldest records', {
      records: oldest.records,
      bytes: oldest.size,
      droppedTotal: this.stats.droppedRecords,
      maxBytes: this.maxBytes,
    });
  }

  /** Appends one record and fsyncs it; drops the oldest segments first if the bound would be passed. */
  async append(payload: Buffer): Promise<void> {
    const record = encodeRecord(payload);
    if (record.length > this.maxBytes) {
      this.stats.droppedRecords++;
      this.log.warn('spool: record larger than the whole spool dropped', { bytes: record.length, maxBytes: this.maxBytes });
      return;
    }
    let current = this.segments.at(-1);
    if (!current || (current.size > 0 && current.size + record.length > this.segmentMaxBytes)) {
      await this.rotate();
      current = this.segments.at(-1)!;
    }
    while (this.bytes + record.length > this.maxBytes) {
      if (this.segments.length === 1) {
        await this.rotate();
        current = this.segments.at(-1)!;
      }
      await this.dropOldest();
    }
    if (!this.writer) this.writer = await open(this.path(current.n), 'a');
    await this.writer.write(record, 0, record.length, null);
    await this.writer.datasync();
    current.size += record.length;
    current.records++;
    if (current.size === record.length) this.syncDir();
  }

  /** A new file's name reaches the disk only when its directory is synced. */
  private syncDir(): void {
    const fd = openSync(this.dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  /** The oldest record not yet replayed, or null when the spool is empty. */
  async peek(): Promise<{ payload: Buffer; ack: () => Promise<void> } | null> {
    for (;;) {
      const oldest = this.segments[0];
      if (!oldest) return null;
      if (this.cursor >= oldest.size || oldest.records === 0) {
        if (this.segments.length === 1) {
          if (oldest.size === 0) return null;
          // The only segment is fully replayed: start over with a fresh one.
          await this.writer?.close();
          this.writer = null;
          await rm(this.path(oldest.n), { force: true });
          this.segments = [{ n: oldest.n + 1, size: 0, records: 0 }];
          this.cursor = 0;
          await this.writeCursor();
          return null;
        }
        this.segments.shift();
        await rm(this.path(oldest.n), { force: true });
        this.cursor = 0;
        await this.writeCursor();
        continue;
      }
      const handle = await open(this.path(oldest.n), 'r');
      let payload: Buffer;
      let bytes: number;
      try {
        const header = Buffer.alloc(8);
        await handle.read(header, 0, 8, this.cursor);
        const length = header.readUInt32LE(0);
        const data = Buffer.alloc(8 + length);
        await handle.read(data, 0, data.length, this.cursor);
        const r = decodeRecord(data, 0);
        if (r.kind !== 'record') throw new Error(`spool record at ${segmentName(oldest.n)}:${this.cursor} unreadable`);
        payload = Buffer.from(r.payload);
        bytes = r.bytes;
      } finally {
        await handle.close();
      }
      const at = { n: oldest.n, offset: this.cursor };
      return {
        payload,
        ack: async () => {
          if (this.segments[0]?.n !== at.n || this.cursor !== at.offset) return; // dropped meanwhile
          this.cursor += bytes;
          this.segments[0].records--;
          await this.writeCursor();
        },
      };
    }
  }

  private async writeCursor(): Promise<void> {
    const oldest = this.segments[0];
    await writeFile(join(this.dir, 'cursor'), oldest ? `${oldest.n} ${this.cursor}\n` : '0 0\n');
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.writer = null;
  }

  /** Size on disk, for tests of the bound. */
  async diskBytes(): Promise<number> {
    let total = 0;
    for (const f of await readdir(this.dir)) if (SEGMENT.test(f)) total += (await stat(join(this.dir, f))).size;
    return total;
  }
}
