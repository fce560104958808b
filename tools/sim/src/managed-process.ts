import { spawn, type ChildProcess } from 'node:child_process';

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
  env: Record<string, string>;
  cwd?: string;
}

/**
 * One child process that can be started, killed and started again with the same command, keeping
 * what every incarnation printed. The harness kills with SIGKILL to simulate a crash: no shutdown hook runs.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private exitPromise: Promise<ProcessExit> | null = null;
  private out = '';
  /** Output of the current incarnation only, for readiness lines. */
  private currentOut = '';
  starts = 0;
  readonly exits: ProcessExit[] = [];

  constructor(private spec: ProcessSpec) {}

  get name(): string {
    return this.spec.name;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Everything printed by every incarnation (the last megabyte). */
  output(): string {
    return this.out;
  }

  /** What the current incarnation printed. */
  currentOutput(): string {
    return this.currentOut;
  }

  /** Changes the environment of the next start (e.g. the trace an agent resumes from). */
  setEnv(env: Record<string, string>): void {
    this.spec = { ...this.spec, env: { ...this.spec.env, ...env } };
  }

  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    this.starts++;
    this.currentOut = '';
    const header = `\n--- ${this.name} start #${this.starts} at ${new Date().toISOString()} ---\n`;
    this.append(header);
    const child = spawn(this.spec.command, this.spec.args, {
      env: { PATH: process.env.PATH ?? '', ...this.spec.env },
      cwd: this.spec.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (d: Buffer) => this.append(d.toString()));
    child.stderr?.on('data', (d: Buffer) => this.append(d.toString()));
    this.exitPromise = new Promise((resolve) => {
      child.once('error', (error) => {
        this.append(`\n${this.name}: ${error.message}\n`);
        resolve({ code: null, signal: null });
      });
      child.once('exit', (code, signal) => {
        const exit = { code, signal };
        this.exits.push(exit);
        this.append(`\n--- ${this.name} exited: code ${code} signal ${signal} ---\n`);
        resolve(exit);
      });
    });
  }

  private append(text: string): void {
    this.currentOut += text;
    if (this.currentOut.length > OUTPUT_LIMIT) this.currentOut = this.currentOut.slice(-OUTPUT_LIMIT);
    this.out += text;
    if (this.out.length > OUTPUT_LIMIT) this.out = this.out.slice(-OUTPUT_LIMIT);
  }

  /** Sends a signal and waits for the process to be gone. SIGKILL is a crash; SIGTERM a clean stop. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 20_000): Promise<ProcessExit> {
    const child = this.child;
    const exited = this.exitPromise;
    if (!child || !exited) throw new Error(`${this.name} was never started`);
    if (this.running) child.kill(signal);
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

  /** SIGSTOP: the process freezes with its sockets open, as a stuck or descheduled replica would. */
  pause(): void {
    if (!this.running) throw new Error(`${this.name} is not running`);
    this.child!.kill('SIGSTOP');
  }

  /** SIGCONT: a paused process carries on. */
  resume(): void {
    if (this.running) this.child!.kill('SIGCONT');
  }

  /** The exit of the current incarnation, whenever it comes. */
  exited(): Promise<ProcessExit> {
    if (!this.exitPromise) throw new Error(`${this.name} was never started`);
    return this.exitPromise;
  }

  /** Last resort in teardown: SIGKILL without waiting long. */
  async forceStop(): Promise<void> {
    if (this.running) await this.kill('SIGKILL', 5_000).catch(() => undefined);
  }
}
