import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** How the command ended: its exit code, or the signal that ended it. */
export interface ChildEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A command that could not be started at all (not found, not executable). */
export interface ChildStartFailure {
  error: NodeJS.ErrnoException;
}

/**
 * Signals passed on to the command, so that `scancel`, `kill` or a closing terminal reach the work
 * itself and the wrapper ends when it does, with its status.
 */
const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGINT'];

/**
 * The status a shell would give: the command's own exit code; 128 + the signal's number when a signal
 * ended it; 127 when it was not found and 126 when it could not be executed, as sh does.
 */
export function exitStatusOf(end: ChildEnd | ChildStartFailure): number {
  if ('error' in end) return end.error.code === 'ENOENT' ? 127 : 126;
  if (end.code !== null) return end.code;
  const number = end.signal ? constants.signals[end.signal] : undefined;
  return number === undefined ? 1 : 128 + number;
}

export interface RunChildOptions {
  env: Record<string, string>;
  /**
   * Ctrl-C on a terminal already reaches the command (it shares the wrapper's process group), and a
   * second SIGINT would interrupt a Python program's own clean-up; so SIGINT is passed on only when the
   * wrapper is not on a terminal, where a SIGINT can only have been sent to the wrapper itself.
   */
  forwardSigint: boolean;
}

/** Runs the command with the terminal handed over (stdin, stdout and stderr inherited) until it ends. */
export function runChild(command: string, args: readonly string[], options: RunChildOptions): Promise<ChildEnd | ChildStartFailure> {
  return new Promise((resolve) => {
    const child = spawn(command, [...args], { env: options.env, stdio: 'inherit' });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const signal of FORWARDED) {
      // A handler is installed for SIGINT even when it is not passed on: without one, Ctrl-C would end
      // the wrapper at once and leave the command running without anyone to report its end.
      const handler = signal === 'SIGINT' && !options.forwardSigint ? () => undefined : () => void child.kill(signal);
      handlers.set(signal, handler);
      process.on(signal, handler);
    }
    let settled = false;
    const settle = (end: ChildEnd | ChildStartFailure) => {
      if (settled) return;
      settled = true;
      for (const [signal, handler] of handlers) process.off(signal, handler);
      resolve(end);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      // 'error' also fires when a signal cannot be delivered; only a failed start has no pid.
      if (child.pid === undefined) settle({ error });
    });
    child.once('exit', (code, signal) => settle({ code, signal }));
  });
}
