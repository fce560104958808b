import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StructuredLogger } from '@wattprint/runtime';
import { pinoHttp } from 'pino-http';
import { requestContext } from './request-context';

/** A caller's own request id is kept when it is a plain token; anything else gets a fresh UUID. */
const CALLER_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Probes and scrapes arrive every few seconds: logging each would bury the requests people make. */
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '').split('?')[0];
}

/**
 * A probe or a scrape. These run outside any AsyncLocalStorage (no request id, no read scope): the
 * first `run()` of one turns on async hooks for the rest of the process, after which every promise
 * pays for them (an awaited call 3-4x slower: tools/bench/async-hooks.mjs), and a worker-only
 * process, whose only requests these are, makes dozens of promises a batch.
 */
export function isQuietPath(req: IncomingMessage): boolean {
  return QUIET_PATHS.has(pathOf(req));
}

/**
 * Express middleware: gives every request an id (the caller's `x-request-id`, else a UUID), sends it
 * back in `x-request-id`, logs one line when the response is sent (method, path, status, duration;
 * never a header, so never a token), and makes the id available to every log line written while the
 * request is handled.
 */
export function httpLogging(logger: StructuredLogger): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
  const middleware = pinoHttp({
    logger,
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID();
      res.setHeader('x-request-id', id);
      return id;
    },
    customAttributeKeys: { reqId: 'reqId' },
    autoLogging: { ignore: isQuietPath },
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
    customErrorMessage: (req, res, error) => `${req.method} ${pathOf(req)} ${res.statusCode}: ${error.message}`,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown }) => ({ method: req.method, path: pathOf(req) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    quietReqLogger: true,
  });
  return (req, res, next) => {
    middleware(req, res);
    if (isQuietPath(req)) return next();
    requestContext.run({ reqId: String((req as IncomingMessage & { id: unknown }).id) }, next);
  };
}
