import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlushLock } from '../src/flush-lock';
import { removeStaleTemps, Spool, type SpoolRecord } from '../src/spool';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wattprint-spool-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (eventId: string, queuedAt: number, pad = 0): SpoolRecord => ({
  v: 1,
  queuedAt,
  body: { eventId, type: 'start', jobId: '1', at: queuedAt, metadata: { name: 'x'.repeat(pad) } },
  attempts: 0,
  lastError: null,
});

describe('the spool', () => {
  it('keeps one file per event id: spooling it again (a retried hook) replaces it in place', () => {
    const spool = new Spool(join(dir, 's'), 1 << 20);
    const first = spool.put(record('slurm:c:1:0:start', 1_000));
    const again = spool.put({ ...record('slurm:c:1:0:start', 2_000), attempts: 3 });
    expect(again.file).toBe(first.file);
    expect(spool.list().map((e) => [e.file, e.record.attempts])).toEqual([['0000000001000-slurm:c:1:0:start.json', 3]]);
    expect(readdirSync(spool.dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('lists oldest first and stays under its bound by dropping the oldest, counting them', () => {
    const spool = new Spool(join(dir, 's'), 65_536);
    for (let i = 0; i < 40; i++) spool.put(record(`e${i}`, 1_000 + i, 3_000));
    const left = spool.list();
    const bytes = readdirSync(spool.dir)
      .filter((f) => f.endsWith('.json'))
      .reduce((s, f) => s + readFileSync(join(spool.dir, f)).length, 0);
    expect(bytes).toBeLessThanOrEqual(65_536);
    expect(left.map((e) => e.record.body.eventId)).toEqual(
      Array.from({ length: 40 - spool.droppedCount() }, (_, i) => `e${i + spool.droppedCount()}`),
    );
    expect(spool.droppedCount()).toBeGreaterThan(15);
  });

  it('moves a file it cannot read to rejected/, with the reason, and goes on', () => {
    const spool = new Spool(join(dir, 's'), 1 << 20);
    spool.put(record('good', 2));
    writeFileSync(join(spool.dir, '0000000000001-torn.json'), '{"v":1,"queuedAt":1,"bo');
    expect(spool.list().map((e) => e.record.body.eventId)).toEqual(['good']);
    expect(spool.rejectedCount()).toBe(1);
    const moved = JSON.parse(readFileSync(join(spool.rejectedDir, '0000000000001-torn.json'), 'utf8'));
    expect(moved.reason).toMatch(/^unreadable spool file: /);
    expect(moved.file).toBe('{"v":1,"queuedAt":1,"bo');
  });

  it('removes what a killed hook left half-written, once it is a minute old', () => {
    const spool = new Spool(join(dir, 's'), 1 << 20);
    spool.ensure();
    writeFileSync(join(spool.dir, '.tmp-1-old'), 'x');
    writeFileSync(join(spool.dir, '.tmp-2-new'), 'x');
    const old = (Date.now() - 120_000) / 1000;
    utimesSync(join(spool.dir, '.tmp-1-old'), old, old);
    expect(removeStaleTemps(spool.dir)).toBe(1);
    expect(readdirSync(spool.dir)).toEqual(['.tmp-2-new']);
    expect(spool.isEmpty()).toBe(true);
  });
});

describe('the flush lock', () => {
  it('admits one flush at a time, and takes over the lock of a flush that died', () => {
    const a = new FlushLock(dir);
    const b = new FlushLock(dir);
    expect(a.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    a.release();
    expect(b.tryAcquire()).toBe(true);
    b.release();
    // pid 2^22 + 1 is above Linux's pid_max: no such process
    writeFileSync(a.path, `${2 ** 22 + 1} ${Date.now()}\n`);
    expect(a.tryAcquire()).toBe(true);
    a.release();
    writeFileSync(a.path, `${process.pid} ${Date.now() - 3_600_000}\n`);
    expect(new FlushLock(dir, 60_000).tryAcquire()).toBe(true);
  });

  it('takes a lock file with no owner written for one being written until it is stale by its age', () => {
    writeFileSync(join(dir, 'flush.lock'), '');
    expect(new FlushLock(dir, 60_000).tryAcquire()).toBe(false);
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, 'flush.lock'), hourAgo, hourAgo);
    const lock = new FlushLock(dir, 60_000);
    expect(lock.tryAcquire()).toBe(true);
    expect(readFileSync(lock.path, 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+\n$`));
  });

  it('never admits two flushes at once while four processes take and release it as fast as they can', async () => {
    // a flush that found the lock taken and then gone (released as it looked) took that for a dead
    // owner's and deleted the lock a third flush had just taken: two flushes sent the same events
    const built = join(__dirname, '../dist/flush-lock.js');
    if (!existsSync(built)) throw new Error(`run npm run build first: missing ${built}`);
    const script = `
      const { openSync, closeSync, unlinkSync } = require('node:fs');
      const { FlushLock } = require(${JSON.stringify(built)});
      const lock = new FlushLock(process.argv[1]);
      let held = 0, both = 0;
      for (let i = 0; i < 4000; i++) {
        if (!lock.tryAcquire()) continue;
        held++;
        try { closeSync(openSync(process.argv[1] + '/inside', 'wx')); } catch { both++; lock.release(); continue; }
        unlinkSync(process.argv[1] + '/inside');
        lock.release();
      }
      process.stdout.write(JSON.stringify({ held, both }));`;
    const runs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<{ held: number; both: number }>((resolve, reject) => {
            const child = spawn(process.execPath, ['-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.on('error', reject);
            child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}`))));
          }),
      ),
    );
    expect(runs.every((r) => r.held > 0)).toBe(true);
    expect(runs.map((r) => r.both)).toEqual([0, 0, 0, 0]);
  });
});
