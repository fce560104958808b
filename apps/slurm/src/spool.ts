import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { JobEventBody } from './job-event';
import type { SlurmJob } from './slurm-job';

/** An event waiting on disk, or an end waiting for Slurm's final state (`pending`). */
export interface SpoolRecord {
  v: 1;
  /** Epoch ms the event was first spooled; also the start of its file name, so names sort oldest first. */
  queuedAt: number;
  body: JobEventBody;
  /** Set on an end whose final state is not known yet: what the epilog saw, to finish it later. */
  pending?: { job: SlurmJob; epilogAt: number; exitCode2: string | null };
  /**
   * Epoch ms until which the prolog that spooled the event is still delivering it itself: a flush
   * running meanwhile leaves it alone rather than sending it twice.
   */
  heldUntil?: number;
  attempts: number;
  lastError: string | null;
}

export interface SpoolEntry {
  file: string;
  record: SpoolRecord;
}

const RECORD_FILE = /^(\d{13})-([A-Za-z0-9._:@-]{1,128})\.json$/;
const REJECTED_KEEP = 1000;

/**
 * Events not yet delivered, one JSON file each, named `<queuedAt>-<eventId>.json`. Every write goes to a
 * temporary file, is fsynced, renamed over the final name and the directory fsynced, so a crash or a
 * killed hook leaves the old record or the new one, never half of one. Spooling an event id again
 * replaces its file: a retried hook never queues a second copy. The spool is bounded: past `maxBytes`
 * the oldest records are dropped, counted in the `dropped` file, and reported to the caller.
 */
export class Spool {
  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  get rejectedDir(): string {
    return join(this.dir, 'rejected');
  }

  ensure(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private names(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((f) => RECORD_FILE.test(f))
        .sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** True when no event waits: one readdir, cheap enough for every hook run. */
  isEmpty(): boolean {
    return this.names().length === 0;
  }

  /**
   * Writes (or rewrites) the record of an event id; returns how many old records were dropped to stay
   * under the bound.
   */
  put(record: SpoolRecord): { file: string; dropped: number } {
    this.ensure();
    const names = this.names();
    const existing = names.find((n) => RECORD_FILE.exec(n)?.[2] === record.body.eventId);
    const file = existing ?? `${String(record.queuedAt).padStart(13, '0')}-${record.body.eventId}.json`;
    const data = JSON.stringify(record);
    const dropped = this.makeRoom(
      names.filter((n) => n !== file),
      Buffer.byteLength(data),
    );
    atomicWrite(this.dir, file, data);
    return { file, dropped };
  }

  private makeRoom(others: string[], incoming: number): number {
    const sizes = others.map((n) => {
      try {
        return statSync(join(this.dir, n)).size;
      } catch {
        return 0;
      }
    });
    let total = sizes.reduce((s, x) => s + x, 0) + incoming;
    let dropped = 0;
    for (let i = 0; i < others.length && total > this.maxBytes; i++) {
      try {
        unlinkSync(join(this.dir, others[i]));
        dropped++;
      } catch {
        // already sent and removed by a flush
      }
      total -= sizes[i];
    }
    if (dropped > 0) this.addDropped(dropped);
    return dropped;
  }

  /** Every record, oldest first; a file that cannot be parsed is moved aside to rejected/ and skipped. */
  list(): SpoolEntry[] {
    const out: SpoolEntry[] = [];
    for (const file of this.names()) {
      let text: string;
      try {
        text = readFileSync(join(this.dir, file), 'utf8');
      } catch {
        continue; // removed meanwhile
      }
      try {
        const record = JSON.parse(text) as SpoolRecord;
        if (record.v !== 1 || typeof record.body?.eventId !== 'string') throw new Error('not a spool record of version 1');
        out.push({ file, record });
      } catch (error) {
        this.reject(file, `unreadable spool file: ${(error as Error).message}`);
      }
    }
    return out;
  }

  remove(file: string): void {
    try {
      unlinkSync(join(this.dir, file));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /** Moves a record the collector refused for good to rejected/, with the reason, keeping the newest 1000. */
  reject(file: string, reason: string): void {
    mkdirSync(this.rejectedDir, { recursive: true, mode: 0o700 });
    let text = '';
    try {
      text = readFileSync(join(this.dir, file), 'utf8');
    } catch {
      return;
    }
    atomicWrite(this.rejectedDir, file, JSON.stringify({ reason, rejectedAt: Date.now(), file: text }));
    this.remove(file);
    const kept = readdirSync(this.rejectedDir)
      .filter((f) => RECORD_FILE.test(f))
      .sort();
    for (const old of kept.slice(0, Math.max(0, kept.length - REJECTED_KEEP))) unlinkSync(join(this.rejectedDir, old));
  }

  rejectedCount(): number {
    try {
      return readdirSync(this.rejectedDir).filter((f) => RECORD_FILE.test(f)).length;
    } catch {
      return 0;
    }
  }

  /** Records dropped to keep the bound, since the spool was created. */
  droppedCount(): number {
    try {
      const n = Number(readFileSync(join(this.dir, 'dropped'), 'utf8').trim());
      return Number.isSafeInteger(n) ? n : 0;
    } catch {
      return 0;
    }
  }

  private addDropped(n: number): void {
    atomicWrite(this.dir, 'dropped', String(this.droppedCount() + n));
  }
}

/** Write to a temporary file, fsync, rename over `name`, fsync the directory. */
export function atomicWrite(dir: string, name: string, data: string): void {
  const tmp = join(dir, `.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, join(dir, name));
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean
    }
    throw error;
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/** Removes temporary files older than a minute: what a hook killed mid-write leaves behind. */
export function removeStaleTemps(dir: string, now = Date.now()): number {
  let removed = 0;
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((f) => f.startsWith('.tmp-'));
  } catch {
    return 0;
  }
  for (const name of names) {
    try {
      if (now - statSync(join(dir, name)).mtimeMs > 60_000) {
        unlinkSync(join(dir, name));
        removed++;
      }
    } catch {
      // gone meanwhile
    }
  }
  return removed;
}
