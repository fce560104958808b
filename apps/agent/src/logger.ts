/** JSON lines on stderr: stdout stays free for `probe --json`. No secret is ever passed in. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  const at = (lvl: LogLevel) => (msg: string, fields?: Record<string, unknown>) => {
    if (RANK[lvl] < RANK[level]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Logs a message the first time it is seen only, so a persistent fault is reported once, not every second. */
export class OnceLogger {
  private readonly seen = new Set<string>();
  constructor(private readonly log: Logger) {}

  warn(key: string, msg: string, fields?: Record<string, unknown>): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    this.log.warn(msg, fields);
    return true;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }
}
