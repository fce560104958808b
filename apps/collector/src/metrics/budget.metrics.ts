import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { Counter, Gauge, type Registry } from 'prom-client';
import { DATABASE } from '../database/database.module';
import { MetricsRegistry } from './metrics.registry';

/**
 * Budget, webhook and agent liveness figures on /metrics. Budgets are set by each evaluation (not at
 * scrape, which must stay cheap); agent liveness is read from the database at scrape, one index
 * lookup per agent.
 */
@Injectable()
export class BudgetMetrics {
  readonly spentRatio: Gauge<'budget' | 'team'>;
  readonly projectedRatio: Gauge<'budget' | 'team'>;
  readonly webhookDeliveries: Counter<'result'>;
  readonly alerts: Counter<'threshold'>;

  constructor(registry: MetricsRegistry, @Inject(DATABASE) handle: DatabaseHandle) {
    const registers: Registry[] = [registry.registry];
    this.spentRatio = new Gauge({
      name: 'wattprint_budget_spent_ratio',
      help: 'Spent / amount of each budget in its current period (1 = all spent), as of the last evaluation.',
      labelNames: ['budget', 'team'],
      registers,
    });
    this.projectedRatio = new Gauge({
      name: 'wattprint_budget_projected_ratio',
      help: 'Projected spend at the end of the period / amount (burn rate plus running jobs’ forecasts).',
      labelNames: ['budget', 'team'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'wattprint_webhook_deliveries_total',
      help: 'Webhook delivery attempts by result (delivered, failed).',
      labelNames: ['result'],
      registers,
    });
    this.alerts = new Counter({
      name: 'wattprint_budget_alerts_total',
      help: 'Budget thresholds crossed (each budget, period and threshold once), by threshold.',
      labelNames: ['threshold'],
      registers,
    });
    // both results shown from the start, so rate() and alert rules see a series before the first failure
    this.webhookDeliveries.inc({ result: 'delivered' }, 0);
    this.webhookDeliveries.inc({ result: 'failed' }, 0);
    new Gauge({
      name: 'wattprint_agent_last_batch_timestamp_seconds',
      help: 'When the collector last committed a batch of each agent (Unix seconds, to within 5 s); absent until its first batch.',
      labelNames: ['agent', 'node'],
      registers,
      async collect() {
        this.reset();
        try {
          // agents.last_seen_at: refreshed by ingest at most every 5 s an agent, and kept past batch-key
          // retention (an index over ingested_batches for this would cost every batch a fourth index entry)
          const rows = await handle.db.selectFrom('agents as a').select(['a.id', 'a.node', 'a.last_seen_at as last']).execute();
          for (const r of rows) if (r.last !== null) this.set({ agent: r.id, node: r.node }, Number(r.last) / 1000);
        } catch {
          // the database is away: no series rather than a failed scrape; the outage has its own metric
        }
      },
    });
  }
}
