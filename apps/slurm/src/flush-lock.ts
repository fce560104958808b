import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
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
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(this.path, 'wx', 0o600);
        writeSync(fd, `${process.pid} ${Date.now()}\n`);
        closeSync(fd);
        this.held = true;
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = this.owner();
        // released while we looked: create it again; deleting it instead deleted the lock another
        // flush had taken meanwhile, and two flushes sent the same events (test/spool.test.ts)
        if (owner === 'gone') continue;
        if (owner === 'live') return false;
        try {
          unlinkSync(this.path);
        } catch {
          // another process took it over first
        }
      }
    }
    return false;
  }

  /**
   * Who holds the lock file: 'gone' when there is none any more, 'stale' when its owner is dead or it
   * is older than `staleMs`, else 'live'. A lock file not yet written (its owner between creating and
   * writing it) reads as live until `staleMs` after it was last written: left so by a crash, it holds
   * flushes back that long.
   */
  private owner(): 'gone' | 'stale' | 'live' {
    let text: string;
    let createdMs: number;
    try {
      text = readFileSync(this.path, 'utf8');
      createdMs = statSync(this.path).mtimeMs;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    const [pid, since] = text.trim().split(' ').map(Number);
    if (!Number.isSafeInteger(pid) || !Number.isFinite(since)) return Date.now() - createdMs > this.staleMs ? 'stale' : 'live';
    if (Date.now() - since > this.staleMs) return 'stale';
    try {
      process.kill(pid, 0);
      return 'live';
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'stale' : 'live';
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
