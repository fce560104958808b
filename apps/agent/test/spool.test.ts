import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../src/logger';
import { DiskSpool } from '../src/spool/disk-spool';
import { SeqStore } from '../src/spool/seq-store';
import { encodeRecord } from '../src/spool/spool-record';
import { tempDir } from './helpers/paths';

const payload = (i: number, size = 100) => Buffer.from(JSON.stringify({ i, pad: 'x'.repeat(size) }));
const index = (b: Buffer) => (JSON.parse(b.toString()) as { i: number }).i;

async function drainAll(spool: DiskSpool): Promise<number[]> {
  const out: number[] = [];
  for (let r = await spool.peek(); r; r = await spool.peek()) {
    out.push(index(r.payload));
    await r.ack();
  }
  return out;
}

describe('the disk spool', () => {
  it('gives records back oldest first across segments and reopenings', async () => {
    const dir = tempDir('spool');
    const spool = await DiskSpool.open(dir, 64 * 1024, silentLogger);
    for (let i = 0; i < 100; i++) await spool.append(payload(i));
    expect(readdirSync(dir).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(1);
    const first = await spool.peek();
    await first!.ack();
    await spool.close();
    const reopened = await DiskSpool.open(dir, 64 * 1024, silentLogger);
    expect(reopened.records).toBe(99);
    expect(await drainAll(reopened)).toEqual(Array.from({ length: 99 }, (_, i) => i + 1));
    expect(reopened.records).toBe(0);
    await reopened.close();
  });

  it('keeps a record until it is acknowledged', async () => {
    const spool = await DiskSpool.open(tempDir('spool'), 64 * 1024, silentLogger);
    await spool.append(payload(1));
    await spool.append(payload(2));
    expect(index((await spool.peek())!.payload)).toBe(1);
    expect(index((await spool.peek())!.payload)).toBe(1); // not acked: still first
    await spool.close();
  });

  it('stays within its byte bound, dropping the oldest, counted and logged', async () => {
    const dir = tempDir('spool');
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (msg) => warnings.push(msg) };
    const max = 16 * 1024;
    const spool = await DiskSpool.open(dir, max, log);
    for (let i = 0; i < 500; i++) {
      await spool.append(payload(i));
      expect(await spool.diskBytes()).toBeLessThanOrEqual(max);
    }
    const { droppedRecords, records } = spool.getStats();
    expect(droppedRecords + records).toBe(500);
    expect(droppedRecords).toBeGreaterThan(0);
    expect(warnings).toContain('spool full: dropped oldest records');
    const kept = await drainAll(spool);
    expect(kept).toEqual(Array.from({ length: records }, (_, i) => 500 - records + i)); // the newest, in order
    await spool.close();
  });

  it('cuts off a torn last record after a crash and keeps everything before it', async () => {
    const dir = tempDir('spool');
    const spool = await DiskSpool.open(dir, 1024 * 1024, silentLogger);
    for (let i = 0; i < 5; i++) await spool.append(payload(i));
    await spool.close();
    const [segment] = readdirSync(dir).filter((f) => f.endsWith('.log'));
    const full = encodeRecord(payload(5));
    appendFileSync(join(dir, segment), full.subarray(0, full.length - 7)); // the crash cut the write short
    const before = statSync(join(dir, segment)).size;
    const reopened = await DiskSpool.open(dir, 1024 * 1024, silentLogger);
    expect(reopened.getStats()).toMatchObject({ records: 5, tornRecords: 1 });
    expect(statSync(join(dir, segment)).size).toBe(before - (full.length - 7));
    await reopened.append(payload(6)); // appends after the last good record
    expect(await drainAll(reopened)).toEqual([0, 1, 2, 3, 4, 6]);
    await reopened.close();
  });

  it('detects a record whose bytes were damaged by its checksum', async () => {
    const dir = tempDir('spool');
    const spool = await DiskSpool.open(dir, 1024 * 1024, silentLogger);
    for (let i = 0; i < 3; i++) await spool.append(payload(i));
    await spool.close();
    const [segment] = readdirSync(dir).filter((f) => f.endsWith('.log'));
    const bytes = readFileSync(join(dir, segment));
    bytes[bytes.length - 3] ^= 0xff;
    writeFileSync(join(dir, segment), bytes);
    const reopened = await DiskSpool.open(dir, 1024 * 1024, silentLogger);
    expect(await drainAll(reopened)).toEqual([0, 1]);
    await reopened.close();
  });
});

describe('the seq store', () => {
  it('carries the next seq across restarts', () => {
    const dir = tempDir('seq');
    const a = new SeqStore(dir);
    expect(a.reserve(40)).toBe(0);
    expect(a.reserve(2)).toBe(40);
    expect(new SeqStore(dir).next).toBe(42);
  });
});
