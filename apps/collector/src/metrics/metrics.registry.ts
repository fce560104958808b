import { Injectable } from '@nestjs/common';
import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per app, not prom-client's global one, so two apps in one process (tests) do not collide. */
@Injectable()
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor() {
    // under their standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes…), which
    // ready-made dashboards and alerts for Node processes expect
    collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
