import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../logger';

export interface StreamOptions {
  command: string;
  /** Arguments of each start; asked anew so a caller can drop a field the driver refused. */
  args: () => string[];
  /** No line for this long: the child is taken as hung, killed and started again. */
  stallMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
  onLine: (line: string, receivedAt: number) => void;
  /** Output of a child that died, to let the caller adapt its arguments. */
  onExit?: (output: string, code: number | null) => void;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Called when a child cannot start, fails, exits or hangs (for the agent's metrics). */
  onFault?: () => void;
}

/**
 * Keeps one long-running child printing lines (nvidia-smi -lms). A child that exits or stops printing is
 * killed and started again after a back-off that doubles up to `backoffMaxMs` and resets once it prints.
 */
export class LineStream {
  private child: ChildProcess | null = null;
  private stallTimer: NodeJS.Timeout | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private stopped = false;
  starts = 0;
  restarts = 0;

  constructor(private readonly opts: StreamOptions) {
    this.backoffMs = opts.backoffMinMs;
  }

  start(): void {
    this.stopped = false;
    this.launch();
  }

  private launch(): void {
    if (this.stopped) return;
    this.starts++;
    const args = this.opts.args();
    let child: ChildProcess;
    try {
      child = spawn(this.opts.command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: this.opts.env ?? process.env });
    } catch (error) {
      this.opts.onFault?.();
      this.opts.log.warn('cannot start child', { command: this.opts.command, error: (error as Error).message });
      this.scheduleRestart();
      return;
    }
    this.child = child;
    let early = '';
    let printed = false;
    child.on('error', (error) => {
      this.opts.onFault?.();
      this.opts.log.warn('child failed', { command: this.opts.command, error: error.message });
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      if (early.length < 4096) early += chunk;
    });
    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (!printed && early.length < 4096) early += `${line}\n`;
      if (line.trim() === '') return;
      printed = true;
      this.backoffMs = this.opts.backoffMinMs;
      this.armStallTimer();
      this.opts.onLine(line, Date.now());
    });
    child.on('close', (code) => {
      if (this.child !== child) return;
      this.child = null;
      this.clearStallTimer();
      if (this.stopped) return;
      this.opts.onFault?.();
      this.opts.log.warn('child exited; restarting after back-off', { command: this.opts.command, code, backoffMs: this.backoffMs });
      this.opts.onExit?.(early, code);
      this.scheduleRestart();
    });
    this.armStallTimer();
  }

  private armStallTimer(): void {
    this.clearStallTimer();
    this.stallTimer = setTimeout(() => {
      const child = this.child;
      if (!child) return;
      this.opts.onFault?.();
      this.opts.log.warn('child stopped printing; killing it', { command: this.opts.command, stallMs: this.opts.stallMs });
      this.child = null;
      child.kill('SIGKILL');
      this.scheduleRestart();
    }, this.opts.stallMs);
    this.stallTimer.unref();
  }

  private clearStallTimer(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = null;
  }

  private scheduleRestart(): void {
    if (this.stopped || this.restartTimer) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoffMaxMs);
    this.restarts++;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.launch();
    }, delay);
  }

  stop(): void {
    this.stopped = true;
    this.clearStallTimer();
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) child.kill('SIGTERM');
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }
}
