import type { IncomingMessage, ServerResponse } from 'node:http';
import { Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { MetricsRegistry } from './metrics.registry';

/** The label of every request that matched no route (404s of unknown paths, bodies refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** What Express leaves on a request once a route matched it (the project does not depend on Express's types). */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };

/**
 * The route a request matched as its template (`/api/v1/jobs/:id`), never the URL it came with: the
 * label set stays bounded whatever ids and query strings callers send.
 */
export function routeTemplate(req: RoutedRequest): string {
  const path = req.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  return `${req.baseUrl ?? ''}${path}` || '/';
}

/** HTTP figures of /metrics: requests and their durations by method, route template and status. */
@Injectable()
export class HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route' | 'status'>;

  constructor(registry: MetricsRegistry) {
    const registers: Registry[] = [registry.registry];
    this.requests = new Counter({
      name: 'wattprint_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'wattprint_http_request_duration_seconds',
      help: 'Time from a request arriving to its response being sent, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
  }

  /**
   * Express middleware, mounted before every other: it times each request from its arrival and counts
   * it when the response is sent, so answers written by guards (401), filters (400, 500) and Express
   * itself (404) are counted as well as those of the handlers.
   */
  middleware(): (req: IncomingMessage, res: ServerResponse, next: () => void) => void {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const method = req.method !== undefined && METHODS.has(req.method) ? req.method : 'OTHER';
        const labels = { method, route: routeTemplate(req), status: String(res.statusCode) };
        this.requests.inc(labels);
        this.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    };
  }
}
