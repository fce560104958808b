import { type LogLevel, type StructuredLogger, createStructuredLogger } from '@wattprint/runtime';

/**
 * The agent's logging: the same JSON lines as the collector (libs/runtime), on stderr so stdout stays
 * free for `probe --json`. Call sites say `log.warn(message, fields)`. No secret is ever passed in, and
 * the format redacts keys and tokens besides.
 */
export type { LogLevel };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** The agent's interface over a structured logger. */
export function agentLogger(logger: StructuredLogger): Logger {
  return {
    debug: (msg, fields) => logger.debug(fields ?? {}, msg),
    info: (msg, fields) => logger.info(fields ?? {}, msg),
    warn: (msg, fields) => logger.warn(fields ?? {}, msg),
    error: (msg, fields) => logger.error(fields ?? {}, msg),
  };
}

/** JSON lines at `level` on stderr, or handed to `write` one line at a time (tests). */
export function createLogger(level: LogLevel = 'info', write?: (line: string) => void): Logger {
  return agentLogger(createStructuredLogger({ service: 'agent', level, destination: write ? { write } : 2 }));
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
