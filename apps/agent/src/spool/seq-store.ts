import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The next sample seq, kept in the spool directory so seq carries on across restarts. Written to a
 * temporary file, fsynced and renamed, so a crash leaves the old value or the new one, never half of one.
 */
export class SeqStore {
  private readonly path: string;
  private value: number;

  constructor(dir: string) {
    this.path = join(dir, 'next-seq');
    this.value = SeqStore.read(this.path);
  }

  private static read(path: string): number {
    try {
      const n = Number(readFileSync(path, 'utf8').trim());
      return Number.isSafeInteger(n) && n >= 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  get next(): number {
    return this.value;
  }

  /** Reserves `count` seqs and persists the next free one before they are used. */
  reserve(count: number): number {
    const first = this.value;
    this.value += count;
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, `${this.value}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    return first;
  }
}
