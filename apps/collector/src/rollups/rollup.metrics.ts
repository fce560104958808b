import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { MetricsRegistry } from '../metrics/metrics.registry';

/** The rollup and retention figures /metrics exposes. */
@Injectable()
export class RollupMetrics {
  readonly foldedUntil: Gauge;
  readonly foldSeconds: Histogram;
  readonly oldestMinute: Gauge;
  readonly deletedRows: Counter<'table'>;
  readonly droppedPartitions: Counter;

  constructor(registry: MetricsRegistry, @Inject(COLLECTOR_CONFIG) config: CollectorConfig) {
    const registers: Registry[] = [registry.registry];
    this.foldedUntil = new Gauge({
      name: 'wattprint_rollup_folded_until_seconds',
      help: 'Every hour before this instant (Unix seconds) is folded into energy_hourly.',
      registers,
    });
    this.foldSeconds = new Histogram({
      name: 'wattprint_rollup_fold_seconds',
      help: 'Duration of one fold transaction (up to 24 hours folded).',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers,
    });
    this.oldestMinute = new Gauge({
      name: 'wattprint_retention_oldest_minute_seconds',
      help: 'The oldest minute bucket still stored (Unix seconds).',
      registers,
    });
    this.deletedRows = new Counter({
      name: 'wattprint_retention_deleted_rows_total',
      help: 'Rows removed by retention, by table (partition drops not counted: see dropped_partitions).',
      labelNames: ['table'],
      registers,
    });
    this.droppedPartitions = new Counter({
      name: 'wattprint_retention_dropped_partitions_total',
      help: 'Monthly partitions of energy_buckets dropped by retention (PostgreSQL).',
      registers,
    });
    const retention = new Gauge({
      name: 'wattprint_retention_days',
      help: 'Configured retention by table, days (absent: kept forever).',
      labelNames: ['table'],
      registers,
    });
    if (config.minuteRetentionDays !== undefined) retention.set({ table: 'energy_buckets' }, config.minuteRetentionDays);
    if (config.hourlyRetentionDays !== undefined) {
      retention.set({ table: 'energy_hourly' }, config.hourlyRetentionDays);
      retention.set({ table: 'energy_node_hourly' }, config.hourlyRetentionDays);
      retention.set({ table: 'energy_site_hourly' }, config.hourlyRetentionDays);
      retention.set({ table: 'energy_group_hourly' }, config.hourlyRetentionDays);
      retention.set({ table: 'energy_group_daily' }, config.hourlyRetentionDays);
      retention.set({ table: 'energy_node_daily' }, config.hourlyRetentionDays);
      retention.set({ table: 'energy_job_daily' }, config.hourlyRetentionDays);
    }
    if (config.batchKeyRetentionDays !== undefined) retention.set({ table: 'ingested_batches' }, config.batchKeyRetentionDays);
  }
}
