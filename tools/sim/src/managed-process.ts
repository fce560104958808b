import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

/** Keeps the last bytes a child printed, enough to explain a failure without holding a whole run. */
const OUTPUT_LIMIT = 1_000_000;

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ProcessSpec {
  /** Name in errors and logs, e.g. `collector-a`. */
  name: string;
  command: string;
  args: string[];
  /** The child's environment (PATH is added when missing). */
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Append what the child prints to this file instead of keeping it in memory (output() is then empty). */
  logFile?: string;
  /**
   * Run it in a process group of its own, so a Ctrl-C in the terminal reaches only the parent, which
   * then stops its children in order (the quick start: agents flush before the collector closes).
   */
  ownGroup?: boolean;
}

/** The command could not be started at all (ENOENT: not on PATH). */
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

/** Every child still running; killed if this process exits without stopping them (a crash, process.exit). */
const living = new Set<ManagedProcess>();
process.on('exit', () => {
  for (const child of living) child.killNow();
});

/**
 * One child process that can be started, stopped, killed and started again with the same command,
 * keeping what every incarnation printed (or appending it to a log file). The harness kills with
 * SIGKILL to simulate a crash: no shutdown hook runs; `stop` is the orderly way, SIGTERM then SIGKILL.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<ProcessExit> | null = null;
  private out = '';
  /** Output of the current incarnation only, for readiness lines. */
  private currentOut = '';
  private stopping = false;
  starts = 0;
  readonly exits: ProcessExit[] = [];

  constructor(private spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null && this.child.pid !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while it is being stopped on purpose: an exit then is no failure. */
  get expectedToStop(): boolean {
    return this.stopping;
  }

  /** Everything printed by every incarnation (the last megabyte); empty with a log file. */
  output(): string {
    return this.out;
  }

  /** What the current incarnation printed; empty with a log file. */
  currentOutput(): string {
    return this.currentOut;
  }

  /** Changes the environment of the next start (e.g. the trace an agent resumes from). */
  setEnv(env: Record<string, string>): void {
    this.spec = { ...this.spec, env: { ...this.spec.env, ...env } };
  }

  /** Starts an incarnation. A command that cannot be started makes exited() reject with a ChildStartError. */
  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    this.starts++;
    this.stopping = false;
    this.currentOut = '';
    const { logFile } = this.spec;
    const fd = logFile === undefined ? null : openSync(logFile, 'a');
    let child: ChildProcess;
    try {
      if (fd === null) this.append(`\n--- ${this.name} start #${this.starts} at ${new Date().toISOString()} ---\n`);
      child = spawn(this.spec.command, this.spec.args, {
        env: { PATH: process.env.PATH ?? '', ...this.spec.env },
        cwd: this.spec.cwd,
        detached: this.spec.ownGroup === true,
        stdio: fd === null ? ['ignore', 'pipe', 'pipe'] : ['ignore', fd, fd],
      });
    } finally {
      if (fd !== null) closeSync(fd);
    }
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => this.append(d.toString()));
    child.stderr?.on('data', (d: Buffer) => this.append(d.toString()));
    living.add(this);
    this.exitPromise = new Promise((resolve, reject) => {
      child.once('error', (error: NodeJS.ErrnoException) => {
        living.delete(this);
        this.append(`\n${this.name}: ${error.message}\n`);
        reject(new ChildStartError(this.name, `cannot start ${this.spec.command}: ${error.message}`, error.code));
      });
      child.once('exit', (code, signal) => {
        living.delete(this);
        const exit = { code, signal };
        this.exits.push(exit);
        if (fd === null) this.append(`\n--- ${this.name} exited: code ${code} signal ${signal} ---\n`);
        resolve(exit);
      });
    });
    this.exitPromise.catch(() => undefined); // observed through exited()
  }

  private append(text: string): void {
    if (this.spec.logFile !== undefined) return;
    this.currentOut += text;
    if (this.currentOut.length > OUTPUT_LIMIT) this.currentOut = this.currentOut.slice(-OUTPUT_LIMIT);
    this.out += text;
    if (this.out.length > OUTPUT_LIMIT) this.out = this.out.slice(-OUTPUT_LIMIT);
  }

  /** The exit of the current incarnation, whenever it comes; rejects when it could not be started. */
  exited(): Promise<ProcessExit> {
    if (!this.exitPromise) throw new Error(`${this.name} was never started`);
    return this.exitPromise;
  }

  /** The exit, or no code and no signal when it never started: for stopping, which must not throw. */
  private settled(): Promise<ProcessExit> {
    return this.exited().catch(() => ({ code: null, signal: null }));
  }

  /** Sends a signal and waits for the process to be gone. SIGKILL is a crash; SIGTERM a clean stop. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 20_000): Promise<ProcessExit> {
    if (!this.child || !this.exitPromise) throw new Error(`${this.name} was never started`);
    this.stopping = true;
    const exited = this.settled();
    this.signal(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}`)), timeoutMs);
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends `signal`; after `graceMs` without an exit, SIGKILL. Resolves once it has exited, saying whether
   * it had to be killed. (A Nest app re-raises the signal after closing: exit by SIGTERM is clean.)
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<ProcessExit & { killed: boolean }> {
    this.stopping = true;
    if (!this.exitPromise) return { code: null, signal: null, killed: false };
    const exited = this.settled();
    if (!this.running) return { ...(await exited), killed: false };
    this.signal(signal);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      this.signal('SIGKILL');
    }, graceMs);
    try {
      return { ...(await exited), killed };
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL at once, without waiting: the parent is going away. */
  killNow(): void {
    this.stopping = true;
    this.signal('SIGKILL');
  }

  /** SIGSTOP: the process freezes with its sockets open, as a stuck or descheduled replica would. */
  pause(): void {
    if (!this.running) throw new Error(`${this.name} is not running`);
    this.signal('SIGSTOP');
  }

  /** SIGCONT: a paused process carries on. */
  resume(): void {
    if (this.running) this.signal('SIGCONT');
  }

  /** Last resort in teardown: SIGKILL without waiting long. */
  async forceStop(): Promise<void> {
    if (this.running) await this.kill('SIGKILL', 5_000).catch(() => undefined);
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!this.running || pid === undefined) return;
    try {
      process.kill(pid, signal);
    } catch {
      // gone meanwhile
    }
  }
}
