import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { QueueName } from '@wattprint/protocol';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { QueueRepository } from '../queue/queue.repository';
import { IngestService } from './ingest.service';

/** Job events are few; a handful at a time keeps per-job ordering close to arrival order. */
const JOB_EVENT_CONCURRENCY = 8;

/** Starts the queue consumers when this process has the worker role, and stops them gracefully. */
@Injectable()
export class IngestWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('IngestWorker');
  private running = false;

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly queues: QueueRepository,
    private readonly ingest: IngestService,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.running = true;
    this.queues.startWorker(QueueName.Samples, (message) => this.ingest.ingestBatch(message), this.config.workerConcurrency);
    this.queues.startWorker(QueueName.JobEvents, (message) => this.ingest.applyJobEvent(message), JOB_EVENT_CONCURRENCY);
    const shards = this.config.queueShards;
    if (shards > 1) this.logger.log(`consuming samples-queue shards 0..${shards - 1} (WATTPRINT_QUEUE_SHARDS=${shards})`);
    // a collector set below the agents' K would leave their batches waiting unread: say so (once, at start)
    void this.queues.strandedShards().then(
      (stranded) => {
        if (stranded.length > 0)
          this.logger.warn(
            `samples-queue shards past WATTPRINT_QUEUE_SHARDS=${shards} hold batches no collector of this K reads: ` +
              `${stranded.map((s) => `shard ${s.shard}: ${s.pending}`).join(', ')}; set it to at least ${Math.max(...stranded.map((s) => s.shard)) + 1} (docs/deploy.md, "Queue shards")`,
          );
      },
      (error: Error) => this.logger.warn(`could not look for stranded queue shards: ${error.message}`),
    );
  }

  /**
   * SIGTERM: take no more messages and finish those being handled, so no job stalls during a
   * deploy. While the database is down they cannot finish: they are put back on the queue instead.
   * Runs before onApplicationShutdown, where the database and Redis connections close.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    this.queues.pauseWorker(QueueName.Samples);
    this.queues.pauseWorker(QueueName.JobEvents);
    // Commits what is held; should the database be (or go) down now, hands it back to the queue.
    await this.ingest.stop();
    await this.queues.closeWorkers();
    this.running = false;
    this.logger.log('ingest workers stopped; active batches finished');
  }
}
