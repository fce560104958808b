import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';

export class ChildStartError extends Error {
  constructor(
    readonly processName: string,
    message: string,
    readonly code?: string,
  ) {
    super(`${processName}: ${message}`);
    this.name = 'ChildStartError';
  }
}

/** Every child the quick start owns; killed synchronously if the quick start itself dies unexpectedly. */
const living = new Set<ManagedProcess>();
process.on('exit', () => {
  for (const child of living) child.killNow();
});

/**
 * A child process in its own process group, output to a log file. Its own group: a Ctrl-C in the
 * terminal reaches only the quick start, which then stops the children in order (agents flush before
 * the collector closes) instead of all of them at once.
 */
export class ManagedProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private stopping = false;

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    env: NodeJS.ProcessEnv,
    logFile: string,
  ) {
    const fd = openSync(logFile, 'a');
    try {
      this.child = spawn(command, args, { env, detached: true, stdio: ['ignore', fd, fd] });
    } finally {
      closeSync(fd);
    }
    this.exited = new Promise((resolve, reject) => {
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        living.delete(this);
        this.exitInfo = { code: null, signal: null };
        reject(new ChildStartError(name, `cannot start ${command}: ${error.message}`, error.code));
      });
      this.child.once('exit', (code, signal) => {
        living.delete(this);
        this.exitInfo = { code, signal };
        resolve({ code, signal });
      });
    });
    this.exited.catch(() => undefined); // observed through waitForExit / started
    living.add(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  /** True while the quick start is stopping it on purpose (an exit then is no failure). */
  get expectedToStop(): boolean {
    return this.stopping;
  }

  /** Resolves when the process exits; rejects when it could not be started at all. */
  waitForExit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  /**
   * Sends `signal`; after `graceMs` without an exit, SIGKILL. Resolves once it has exited, saying
   * whether it had to be killed. (A Nest app re-raises the signal after closing: exit by SIGTERM is clean.)
   */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    graceMs = 15_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    this.stopping = true;
    if (this.exitInfo) return { ...this.exitInfo, killed: false };
    this.signal(signal);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.signal('SIGKILL');
    }, graceMs);
    try {
      return { ...(await this.exited), killed };
    } finally {
      clearTimeout(timer);
    }
  }

  killNow(): void {
    this.stopping = true;
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.exitInfo || this.child.pid === undefined) return;
    try {
      process.kill(this.child.pid, signal);
    } catch {
      // already gone
    }
  }
}
