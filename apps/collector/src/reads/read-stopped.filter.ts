import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { ReadCancelledError, ReadTimeoutError } from '@wattprint/db';
import { requestContext } from '../logging/request-context';
import { routeTemplate } from '../metrics/http.metrics';
import { ReadMetrics } from './read.metrics';

/**
 * nginx's "client closed request", the status of a read whose client went away. Nobody receives it;
 * it only keeps Nest's default handler from treating the error as a 500.
 */
export const CLIENT_CLOSED_REQUEST = 499;

/** Where the answer says the bound comes from, so an operator knows what to change. */
export const READ_TIMEOUT_SETTING = 'WATTPRINT_READ_TIMEOUT_MS';

type Response = ServerResponse & { status(code: number): Response; json(body: unknown): void };

/** Answers a read stopped on the database: 504 naming the setting for a timeout; 499 for a client gone. */
@Catch(ReadTimeoutError, ReadCancelledError)
export class ReadStoppedFilter implements ExceptionFilter<ReadTimeoutError | ReadCancelledError> {
  constructor(private readonly metrics: ReadMetrics) {}

  catch(error: ReadTimeoutError | ReadCancelledError, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<IncomingMessage>();
    const res = http.getResponse<Response>();
    const route = routeTemplate(req);
    if (error instanceof ReadCancelledError) {
      this.metrics.stopped.inc({ route, reason: 'cancelled' });
      if (!res.headersSent) res.status(CLIENT_CLOSED_REQUEST).end();
      return;
    }
    this.metrics.stopped.inc({ route, reason: 'timeout' });
    const requestId = requestContext.getStore()?.reqId;
    res.status(504).json({
      statusCode: 504,
      error: 'read_timeout',
      message: `the database read took longer than ${READ_TIMEOUT_SETTING} (${error.timeoutMs} ms) and was cancelled; ask for a shorter range or raise the setting`,
      setting: READ_TIMEOUT_SETTING,
      timeoutMs: error.timeoutMs,
      ...(requestId !== undefined ? { requestId } : {}),
    });
  }
}
