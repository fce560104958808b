import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsRegistry } from '../metrics/metrics.registry';

/** Why a read was stopped before it answered. */
export type ReadStopReason = 'cancelled' | 'timeout';

/** Reads stopped on the database, on /metrics. */
@Injectable()
export class ReadMetrics {
  readonly stopped: Counter<'route' | 'reason'>;

  constructor(registry: MetricsRegistry) {
    this.stopped = new Counter({
      name: 'wattprint_http_reads_stopped_total',
      help:
        'GET requests whose database read was stopped, by route template and reason: ' +
        'cancelled (the client went away) or timeout (past WATTPRINT_READ_TIMEOUT_MS).',
      labelNames: ['route', 'reason'],
      registers: [registry.registry],
    });
  }
}
