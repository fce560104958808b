import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { DATABASE } from '../database/database.module';

/** Requests that only read: their queries are bounded by WATTPRINT_READ_TIMEOUT_MS and die with their client. */
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Runs the rest of a GET request as a database read (`DatabaseHandle.asRead`) whose signal aborts when
 * the client goes away before its answer is sent, so that a long report nobody waits for any more is
 * cancelled on PostgreSQL instead of running on. Other methods write, and must finish whatever the
 * client does.
 */
@Injectable()
export class ReadScopeMiddleware implements NestMiddleware<IncomingMessage, ServerResponse> {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  use(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (!READ_METHODS.has(req.method ?? '')) return next();
    const clientGone = new AbortController();
    // 'close' also follows a response sent in full: only one closed before that is a client gone
    res.once('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    this.handle.asRead(clientGone.signal, next);
  }
}
