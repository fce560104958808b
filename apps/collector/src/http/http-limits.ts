import type { NestExpressApplication } from '@nestjs/platform-express';
import { nestedDeeperThan } from '../ingest/signed-message';

/**
 * The deepest JSON body any route accepts. Run specs, the deepest bodies the API takes, nest about
 * 6 levels; 64 leaves room and keeps a hostile body from reaching code that recurses through it.
 */
export const MAX_BODY_DEPTH = 64;

// The little of Express these handlers use (the project does not depend on Express's types).
type Request = { body?: unknown };
type Response = { status(code: number): { json(body: unknown): void } };
type NextFunction = (error?: unknown) => void;

export interface HttpLimits {
  /** Largest JSON body, bytes. */
  bodyLimitBytes: number;
}

/** The answer to a body refused before any route sees it, in the API's own error shape. */
function refuse(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ statusCode: status, error, message });
}

/**
 * Body limits every route shares: a JSON body past `bodyLimitBytes` is a 413, one that is not JSON
 * a 400, one nested deeper than MAX_BODY_DEPTH a 400 — each with a message naming the limit, where
 * Express would answer an HTML page or the route would crash on the depth.
 */
export function applyHttpLimits(app: NestExpressApplication, limits: HttpLimits): void {
  app.useBodyParser('json', { limit: limits.bodyLimitBytes });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.body !== null && typeof req.body === 'object' && nestedDeeperThan(req.body, MAX_BODY_DEPTH)) {
      return refuse(res, 400, 'invalid_request', `(root): the body nests deeper than ${MAX_BODY_DEPTH} levels`);
    }
    next();
  });
  app.use(
    (
      error: { type?: string; status?: number; length?: number; limit?: number; message?: string },
      _req: Request,
      res: Response,
      next: NextFunction,
    ) => {
      if (error.type === 'entity.too.large') {
        return refuse(
          res,
          413,
          'payload_too_large',
          `the body is ${error.length ?? 'more than'} bytes; at most ${error.limit} (WATTPRINT_BODY_LIMIT_BYTES)`,
        );
      }
      if (error.type === 'entity.parse.failed')
        return refuse(res, 400, 'invalid_request', `(root): the body is not JSON: ${error.message}`);
      if (typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
        return refuse(res, error.status, 'invalid_request', error.message ?? 'bad request');
      }
      next(error);
    },
  );
}
