import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * The one log format of every Wattprint process: JSON lines with `level` as a word, `time` in ISO 8601
 * UTC, the `service`, `pid` and `hostname`, and `msg`. No colour and no locale, so a log file and a log
 * shipper read the same thing a terminal shows; secrets under the names below never reach a line.
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Field names whose values are replaced by `[redacted]`, at the top of a line or one level down. */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'password',
  'secret',
  'token',
  'apiKey',
  'agentKey',
  'bootstrapToken',
  'key',
  'WATTPRINT_AGENT_KEY',
  'WATTPRINT_BOOTSTRAP_TOKEN',
];
export const REDACTED_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
];

export interface LogOptions {
  /** The program: `collector`, `agent`. */
  service: string;
  level: LogLevel;
  /** Where lines go: a file descriptor (1 stdout, 2 stderr) or any object with `write(line)`; default stdout. */
  destination?: number | DestinationStream;
}

export type { Logger as StructuredLogger } from 'pino';

/** A logger in the Wattprint format. Writes are synchronous on a file descriptor: no line is lost at exit. */
export function createStructuredLogger(options: LogOptions): Logger {
  const destination = options.destination ?? 1;
  return pino(
    {
      level: options.level,
      base: { service: options.service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    typeof destination === 'number' ? pino.destination({ fd: destination, sync: true }) : destination,
  );
}
