import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One flush at a time per spool: a lock file created with O_EXCL holding the owner's pid. A lock whose
 * owner is gone (killed, node rebooted) is taken over; so is one older than `staleMs`, whatever its pid
 * says, since pids are reused.
 */
export class FlushLock {
  private held = false;

  constructor(
    private readonly dir: string,
    private readonly staleMs = 15 * 60_000,
  ) {}

  get path(): string {
    return join(this.dir, 'flush.lock');
  }

  tryAcquire(): boolean {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(this.path, 'wx', 0o600);
        writeSync(fd, `${process.pid} ${Date.now()}\n`);
        closeSync(fd);
        this.held = true;
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (!this.isStale()) return false;
        try {
          unlinkSync(this.path);
        } catch {
          // another process took it over first
        }
      }
    }
    return false;
  }

  private isStale(): boolean {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return true;
    }
    const [pid, since] = text.trim().split(' ').map(Number);
    if (!Number.isSafeInteger(pid) || !Number.isFinite(since) || Date.now() - since > this.staleMs) return true;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
