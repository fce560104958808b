import { Injectable } from '@nestjs/common';
import { QueueName } from '@wattprint/protocol';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { QueueRepository } from '../queue/queue.repository';
import { MetricsRegistry } from './metrics.registry';

/** The states of a BullMQ queue that hold messages still to be handled. */
export const QUEUE_STATES = ['waiting', 'active', 'prioritized', 'delayed'] as const;

/** The ingest figures /metrics exposes, all prefixed `wattprint_`. */
@Injectable()
export class IngestMetrics {
  readonly batches: Counter<'result'>;
  readonly samples: Counter;
  readonly joules: Counter;
  readonly deadLetters: Counter<'queue' | 'reason'>;
  readonly jobEvents: Counter<'result'>;
  readonly lag: Histogram;
  readonly groupSize: Histogram;
  readonly commitSeconds: Histogram;
  readonly dbOutages: Counter;

  constructor(registry: MetricsRegistry, queues: QueueRepository) {
    const registers: Registry[] = [registry.registry];
    this.batches = new Counter({
      name: 'wattprint_ingest_batches_total',
      help: 'Sample batches taken off the queue, by result: ingested (new), duplicate (seen before, skipped), dead (set aside as a dead letter).',
      labelNames: ['result'],
      registers,
    });
    this.samples = new Counter({ name: 'wattprint_ingest_samples_total', help: 'Samples added to energy buckets.', registers });
    this.joules = new Counter({ name: 'wattprint_ingest_joules_total', help: 'Energy added to energy buckets, joules.', registers });
    this.deadLetters = new Counter({
      name: 'wattprint_dead_letters_total',
      help: 'Messages set aside, by queue and reason.',
      labelNames: ['queue', 'reason'],
      registers,
    });
    this.jobEvents = new Counter({
      name: 'wattprint_job_events_total',
      help: 'Job events by result (applied, duplicate).',
      labelNames: ['result'],
      registers,
    });
    this.lag = new Histogram({
      name: 'wattprint_ingest_lag_seconds',
      help: 'Commit time minus the batch sentAt.',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600],
      registers,
    });
    this.groupSize = new Histogram({
      name: 'wattprint_ingest_group_commit_batches',
      help: 'Batches per group commit.',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    });
    this.commitSeconds = new Histogram({
      name: 'wattprint_ingest_commit_seconds',
      help: 'Duration of one group commit transaction.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers,
    });
    this.dbOutages = new Counter({
      name: 'wattprint_ingest_db_outages_total',
      help: 'Times the ingest worker paused because the database was unreachable.',
      registers,
    });
    new Gauge({
      name: 'wattprint_queue_depth',
      help: 'Messages on a queue, by queue and state (waiting, active, prioritized, delayed); the samples queue over all its shards (WATTPRINT_QUEUE_SHARDS).',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        // one small Redis round trip per queue (and samples-queue shard) at each scrape
        await Promise.all(
          Object.values(QueueName).map(async (queue) => {
            try {
              const counts = await queues.counts(queue, QUEUE_STATES);
              for (const state of QUEUE_STATES) this.set({ queue, state }, counts[state] ?? 0);
            } catch {
              for (const state of QUEUE_STATES) this.set({ queue, state }, Number.NaN);
            }
          }),
        );
      },
    });
    new Gauge({
      name: 'wattprint_queue_shard_depth',
      help: 'Messages still to be handled (waiting, active, prioritized, delayed) on each shard of the samples queue (shard 0 is the unsharded queue).',
      labelNames: ['shard'],
      registers,
      async collect() {
        try {
          (await queues.shardDepths(QueueName.Samples)).forEach((depth, shard) => this.set({ shard: String(shard) }, depth));
        } catch {
          for (const shard of queues.shardsOf(QueueName.Samples)) this.set({ shard: String(shard) }, Number.NaN);
        }
      },
    });
  }
}
