import type { LoggerService } from '@nestjs/common';
import type { StructuredLogger } from '@wattprint/runtime';
import { requestContext } from './request-context';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's LoggerService over the collector's structured logger. Every `new Logger('X')` of
 * @nestjs/common, and Nest's own start-up lines, end up here as JSON lines with `context: "X"`, and
 * with the request id when written while a request is handled.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: StructuredLogger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest, true);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }

  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest, true);
  }

  /**
   * Nest calls `log(message, context)` and `error(message, stack, context)`: the last string is the
   * context, and for errors a string before it the stack.
   */
  private write(level: Level, message: unknown, rest: unknown[], mayHaveStack = false): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const params = [...rest];
    const fields: Record<string, unknown> = {};
    if (params.length > 0 && typeof params[params.length - 1] === 'string') fields.context = params.pop();
    if (mayHaveStack && params.length > 0 && typeof params[params.length - 1] === 'string') fields.stack = params.pop();
    if (params.length > 0) fields.details = params;
    const reqId = requestContext.getStore()?.reqId;
    if (reqId !== undefined) fields.reqId = reqId;
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
