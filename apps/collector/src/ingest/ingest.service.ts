import { Inject, Injectable, Logger } from '@nestjs/common';
import { Batch, JobEvent, QueueName, verify, verifyText } from '@wattprint/protocol';
import type { z } from 'zod';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { QueueRepository, RequeueError } from '../queue/queue.repository';
import type { DeadLetter, DeadLetterReason } from './dead-letter';
import { CommitterClosedError, GroupCommitter } from './group-committer';
import { IngestRepository } from './ingest.repository';
import { JobEventRepository } from './job-event.repository';
import { isCertainlyBatch } from './batch-acceptor';
import { type PreparedBatch, prepareBatch } from './prepared-batch';
import { type Checked, parseSignedMessage } from './signed-message';
import { backoffMs, isTransientDbError } from './transient-error';

const RETRY_MIN_MS = 50;

/**
 * Sample batches and job events from the queues into the database. A message is checked
 * (schema, agent, signature) before it joins a group commit, so a bad one becomes a dead letter
 * and never touches the others.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('IngestService');
  private readonly committer: GroupCommitter<PreparedBatch>;
  private stopping = false;
  /** Set by the first call that finds the database unreachable, cleared by the next that succeeds. */
  private outage = false;

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly batches: IngestRepository,
    private readonly events: JobEventRepository,
    private readonly queues: QueueRepository,
    private readonly metrics: IngestMetrics,
  ) {
    this.committer = new GroupCommitter<PreparedBatch>({
      windowMs: config.groupCommitMs,
      maxItems: config.groupCommitMaxBatches,
      maxInFlight: batches.concurrentCommits,
      commit: (group) => this.commit(group),
      isTransient: isTransientDbError,
      retryMinMs: RETRY_MIN_MS,
      retryMaxMs: config.dbRetryMaxMs,
      onOutage: (error) => this.databaseDown(error),
      onRecovered: () => this.databaseUp(),
    });
  }

  private databaseDown(error: unknown): void {
    if (this.outage) return;
    this.outage = true;
    this.metrics.dbOutages.inc();
    this.logger.error(`database unreachable, pausing ingest: ${(error as Error).message}`);
    this.queues.pauseWorker(QueueName.Samples);
    this.queues.pauseWorker(QueueName.JobEvents);
  }

  private databaseUp(): void {
    if (!this.outage) return;
    this.outage = false;
    this.logger.log('database reachable again, resuming ingest');
    if (this.stopping) return; // shutting down: the workers stay paused
    this.queues.resumeWorker(QueueName.Samples);
    this.queues.resumeWorker(QueueName.JobEvents);
  }

  /**
   * Handles one message of the samples queue; resolves once its batch is committed or set aside.
   * `text`, the JSON the message was parsed from, lets the signature be checked without writing the
   * message out again.
   */
  async ingestBatch(data: unknown, jobId: string | undefined, text?: string): Promise<void> {
    const checked = await this.checkSignedMessage(Batch, data, isCertainlyBatch, text);
    if (!checked.ok) return this.deadLetter(QueueName.Samples, jobId, checked, data);
    try {
      await this.committer.submit(prepareBatch(checked.value));
    } catch (error) {
      if (error instanceof CommitterClosedError) throw new RequeueError('collector shutting down while the database is unreachable');
      throw error;
    }
  }

  /** Handles one message of the job-events queue; an event delivered twice is applied once. */
  async applyJobEvent(data: unknown, jobId: string | undefined): Promise<void> {
    const checked = await this.checkSignedMessage(JobEvent, data);
    if (!checked.ok) return this.deadLetter(QueueName.JobEvents, jobId, checked, data);
    const applied = await this.retryWhileUnreachable(() => this.events.apply(checked.value));
    this.metrics.jobEvents.inc({ result: applied ? 'applied' : 'duplicate' });
  }

  /**
   * Commits the batches held and takes no more. When the database is down, or goes down meanwhile,
   * the batches held go back to their queue instead of waiting for it.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.committer.close(this.outage);
  }

  /** True while the database is unreachable and the workers are paused. */
  get paused(): boolean {
    return this.outage;
  }

  private async commit(group: PreparedBatch[]): Promise<void> {
    const started = process.hrtime.bigint();
    const added = await this.batches.commitBatches(group);
    const now = this.batches.now();
    this.metrics.commitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.metrics.groupSize.observe(group.length);
    // counters once per group, not per batch: each inc() is a label lookup and a map write
    let samples = 0;
    let joules = 0;
    for (const b of added) {
      samples += b.sampleCount;
      joules += b.joules;
      this.metrics.lag.observe(Math.max(0, now - b.sentAt) / 1000);
    }
    if (added.length > 0) {
      this.metrics.batches.inc({ result: 'ingested' }, added.length);
      this.metrics.samples.inc(samples);
      this.metrics.joules.inc(joules);
    }
    if (added.length < group.length) this.metrics.duplicates.inc(group.length - added.length);
  }

  private async checkSignedMessage<S extends typeof Batch | typeof JobEvent>(
    schema: S,
    data: unknown,
    isCertainlyValid?: (data: unknown) => data is z.output<S>,
    text?: string,
  ): Promise<Checked<z.output<S>>> {
    const parsed = parseSignedMessage(schema, data, isCertainlyValid) as Checked<z.output<S>>;
    if (!parsed.ok) return parsed;
    const agentId = (parsed.value as { agentId: string }).agentId;
    const key = await this.retryWhileUnreachable(() => this.batches.findAgentKey(agentId));
    if (key === undefined) return { ok: false, reason: 'unknown-agent', detail: `agentId: no agent "${agentId}" is registered` };
    // the text's own bytes when it has the form signed() makes; otherwise the parsed message, in any member order
    if (!(text !== undefined && verifyText(text, key)) && !verify(data as { signature?: unknown }, key)) {
      return {
        ok: false,
        reason: 'forged',
        detail: `signature: does not match the HMAC of the message under the key of agent "${agentId}"`,
      };
    }
    return parsed;
  }

  private async deadLetter(
    queue: QueueName,
    jobId: string | undefined,
    failure: { reason: DeadLetterReason; detail: string },
    data: unknown,
  ): Promise<void> {
    const letter: DeadLetter = {
      queue,
      jobId: jobId ?? null,
      reason: failure.reason,
      detail: failure.detail,
      payload: JSON.stringify(data) ?? 'null',
    };
    const recorded = await this.retryWhileUnreachable(() => this.batches.recordDeadLetter(letter));
    await this.queues.addDeadLetter({ ...letter, payload: data, receivedAt: new Date(this.batches.now()).toISOString() });
    if (recorded) this.metrics.deadLetters.inc({ queue, reason: failure.reason });
    this.logger.warn(`dead letter from ${queue} (${failure.reason}): ${failure.detail.split('\n')[0]}`);
  }

  /** Runs a database call again with back-off while the database is unreachable. */
  private async retryWhileUnreachable<R>(call: () => Promise<R>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await call();
        // only a call that had failed proves the database is back (a cached answer proves nothing)
        if (attempt > 0) this.databaseUp();
        return result;
      } catch (error) {
        if (!isTransientDbError(error)) throw error;
        this.databaseDown(error);
        if (this.stopping) throw new RequeueError('collector shutting down while the database is unreachable');
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, RETRY_MIN_MS, this.config.dbRetryMaxMs)));
      }
    }
  }
}
