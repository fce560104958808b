import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { DATABASE } from '../database/database.module';
import { isQuietPath } from '../logging/http-logging';

/** Requests that only read: their queries are bounded by WATTPRINT_READ_TIMEOUT_MS and die with their client. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Runs the rest of a GET request as a database read (`DatabaseHandle.asRead`) whose signal aborts when
 * the client goes away before its answer is sent, so that a long report nobody waits for any more is
 * cancelled on PostgreSQL instead of running on. Other methods write, and must finish whatever the
 * client does.
 */
@Injectable()
export class ReadScope {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /**
   * Express middleware, mounted with `app.use` before the routes (bootstrap.ts): Nest's own
   * middleware consumer would mount it as a route, and every unmatched request would then carry
   * that route's path as its `route` label in /metrics.
   */
  middleware(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
    return (req, res, next) => {
      // probes and scrapes read little, and must not turn on async hooks (isQuietPath)
      if (!READ_METHODS.has(req.method ?? '') || isQuietPath(req)) return next();
      const clientGone = new AbortController();
      // 'close' also follows a response sent in full: only one closed before that is a client gone
      res.once('close', () => {
        if (!res.writableFinished) clientGone.abort();
      });
      this.handle.asRead(clientGone.signal, next);
    };
  }
}
