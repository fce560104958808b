import { Inject, Injectable, Logger } from '@nestjs/common';
import { Batch, JobEvent, QueueName, verify, verifyText } from '@wattprint/protocol';
import type { z } from 'zod';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { JobEventService } from '../jobs/events/job-event.service';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { type QueuedMessage, QueueRepository, RequeueError, RetryLaterError } from '../queue/queue.repository';
import { isCertainlyBatch } from './batch-acceptor';
import { backoffMs, errorCode, isDataError } from './db-errors';
import type { DeadLetter, DeadLetterReason } from './dead-letter';
import { CommitterClosedError, GroupCommitter } from './group-committer';
import { IngestRepository } from './ingest.repository';
import { type PreparedBatch, prepareBatch } from './prepared-batch';
import { boundProblems, timeProblem } from './sample-bounds';
import { type Checked, parseSignedMessage } from './signed-message';
import { ClockRepository } from '../clock/clock.repository';

const RETRY_MIN_MS = 50;
/**
 * An agent's end or metadata event can overtake the start event it follows when several consumers
 * take events at once; it is retried this often while it waits (WATTPRINT_JOB_EVENT_WAIT_MS) for the
 * start or the job's samples, then called `job-not-seen`.
 */
const JOB_NOT_SEEN_RETRY_MS = 5_000;

type Failure = { reason: DeadLetterReason; detail: string };

/**
 * Sample batches and job events from the queues into the database. A message is checked (form,
 * agent, signature, node, bounds) before it joins a group commit, so a bad one becomes a dead letter
 * and never touches the others. Only a message proven bad is set aside; any other failure pauses
 * ingest and retries, so no batch is lost to a database that is away or a failure nobody foresaw.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('IngestService');
  private readonly committer: GroupCommitter<PreparedBatch>;
  private stopping = false;
  /** Set by the first call that fails and is retried, cleared by the next that succeeds. */
  private outage = false;

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly batches: IngestRepository,
    private readonly jobEvents: JobEventService,
    private readonly queues: QueueRepository,
    private readonly metrics: IngestMetrics,
    private readonly clock: ClockRepository,
  ) {
    this.committer = new GroupCommitter<PreparedBatch>({
      windowMs: config.groupCommitMs,
      maxItems: config.groupCommitMaxBatches,
      maxInFlight: batches.concurrentCommits,
      commit: (group) => this.commit(group),
      isDataError,
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
    const code = errorCode(error);
    this.logger.error(`database failing, pausing ingest and retrying: ${code === undefined ? '' : `${code} `}${(error as Error).message}`);
    this.queues.pauseWorker(QueueName.Samples);
    this.queues.pauseWorker(QueueName.JobEvents);
  }

  private databaseUp(): void {
    if (!this.outage) return;
    this.outage = false;
    this.logger.log('database answering again, resuming ingest');
    if (this.stopping) return; // shutting down: the workers stay paused
    this.queues.resumeWorker(QueueName.Samples);
    this.queues.resumeWorker(QueueName.JobEvents);
  }

  /** Handles one message of the samples queue; resolves once its batch is committed or set aside. */
  async ingestBatch(message: QueuedMessage): Promise<void> {
    const prepared = await this.acceptBatch(message);
    if (prepared === undefined) return;
    // from here on only the prepared rows (and the text, for a dead letter) stay alive while the commit waits
    message.release();
    try {
      await this.committer.submit(prepared);
    } catch (error) {
      if (error instanceof CommitterClosedError) throw new RequeueError('collector shutting down while the database is failing');
      if (!isDataError(error)) throw error; // the committer retries everything else; cannot happen
      return this.deadLetter(QueueName.Samples, message, { reason: 'data-error', detail: databaseRefusal(error) });
    }
  }

  /** The batch reduced to what its commit writes, or undefined once it has been dead-lettered. */
  private async acceptBatch(message: QueuedMessage): Promise<PreparedBatch | undefined> {
    const checked = await this.checkSignedMessage(Batch, message, isCertainlyBatch);
    if (!checked.ok) {
      await this.deadLetter(QueueName.Samples, message, checked);
      return undefined;
    }
    const problems = boundProblems(checked.value, this.config.sampleBounds, this.clock.now());
    if (problems.length > 0) {
      await this.deadLetter(QueueName.Samples, message, { reason: 'out-of-bounds', detail: problems.join('\n') });
      return undefined;
    }
    return prepareBatch(checked.value);
  }

  /** Handles one message of the job-events queue; an event delivered twice is applied once. */
  async applyJobEvent(message: QueuedMessage): Promise<void> {
    const checked = await this.checkSignedMessage(JobEvent, message);
    if (!checked.ok) return this.deadLetter(QueueName.JobEvents, message, checked);
    const event = checked.value;
    const late = timeProblem('at', event.at, this.config.sampleBounds, this.clock.now());
    if (late !== null) return this.deadLetter(QueueName.JobEvents, message, { reason: 'out-of-bounds', detail: late });
    let result;
    try {
      result = await this.retryWhileFailing(() => this.jobEvents.fromAgent(event));
    } catch (error) {
      if (!isDataError(error)) throw error;
      return this.deadLetter(QueueName.JobEvents, message, { reason: 'data-error', detail: databaseRefusal(error) });
    }
    if (result === 'not-seen') {
      const waited = this.clock.now() - message.queuedAt;
      if (waited < this.config.jobEventWaitMs) {
        throw new RetryLaterError(
          Math.min(JOB_NOT_SEEN_RETRY_MS, this.config.jobEventWaitMs - waited),
          `job ${event.jobId} not yet seen on ${event.node}`,
        );
      }
      return this.deadLetter(QueueName.JobEvents, message, {
        reason: 'job-not-seen',
        detail: `jobId: agent "${event.agentId}" never started job "${event.jobId}" nor sent energy for it on its node "${event.node}"`,
      });
    }
    this.metrics.jobEvents.inc({ result: result === 'applied' ? 'applied' : 'duplicate' });
  }

  /**
   * Commits the batches held and takes no more. When the database is failing, or starts to meanwhile,
   * the batches held go back to their queue instead of waiting for it.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.committer.close(this.outage);
  }

  /** True while the database is failing and the workers are paused. */
  get paused(): boolean {
    return this.outage;
  }

  private async commit(group: PreparedBatch[]): Promise<void> {
    const started = process.hrtime.bigint();
    const added = await this.batches.commitBatches(group);
    const now = this.clock.now();
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
    if (added.length < group.length) this.metrics.batches.inc({ result: 'duplicate' }, group.length - added.length);
  }

  /**
   * Everything about a message but its bounds: it must have been parseable, not have stalled too
   * often, have the schema's form, come from a registered agent, carry that agent's signature and
   * name that agent's own node.
   */
  private async checkSignedMessage<S extends typeof Batch | typeof JobEvent>(
    schema: S,
    message: QueuedMessage,
    isCertainlyValid?: (data: unknown) => data is z.output<S>,
  ): Promise<Checked<z.output<S>>> {
    if (message.unparseable !== undefined) return { ok: false, reason: 'unparseable', detail: `(root): not JSON: ${message.unparseable}` };
    if (message.stalls >= this.config.maxStalls) {
      return {
        ok: false,
        reason: 'stalled',
        detail: `(root): ${message.stalls} consumers took this message and died or froze before finishing it (WATTPRINT_MAX_STALLS=${this.config.maxStalls})`,
      };
    }
    const { data, text } = message;
    const parsed = parseSignedMessage(schema, data, isCertainlyValid) as Checked<z.output<S>>;
    if (!parsed.ok) return parsed;
    const { agentId, node } = parsed.value as { agentId: string; node: string };
    const agent = await this.retryWhileFailing(() => this.batches.findAgent(agentId));
    if (agent === undefined) return { ok: false, reason: 'unknown-agent', detail: `agentId: no agent "${agentId}" is registered` };
    // the text's own bytes when it has the form signed() makes; otherwise the parsed message, in any member order
    if (!(text !== undefined && verifyText(text, agent.key)) && !verify(data as { signature?: unknown }, agent.key)) {
      return {
        ok: false,
        reason: 'forged',
        detail: `signature: does not match the HMAC of the message under the key of agent "${agentId}"`,
      };
    }
    if (node !== agent.node) {
      return {
        ok: false,
        reason: 'node-mismatch',
        detail: `node: got ${JSON.stringify(node)}; expected "${agent.node}", the node agent "${agentId}" is registered for`,
      };
    }
    return parsed;
  }

  private async deadLetter(queue: QueueName, message: QueuedMessage, failure: Failure): Promise<void> {
    const letter: DeadLetter = {
      queue,
      jobId: message.jobId ?? null,
      reason: failure.reason,
      detail: failure.detail,
      payload: payloadText(message),
    };
    const recorded = await this.retryWhileFailing(() => this.batches.recordDeadLetter(letter));
    await this.queues.addDeadLetter({ ...letter, receivedAt: new Date(this.clock.now()).toISOString() });
    if (recorded) {
      this.metrics.deadLetters.inc({ queue, reason: failure.reason });
      if (queue === QueueName.Samples) this.metrics.batches.inc({ result: 'dead' });
    }
    this.logger.warn(`dead letter from ${queue} (${failure.reason}): ${failure.detail.split('\n')[0]}`);
  }

  /**
   * Runs a database call again with back-off until it succeeds; a data error is thrown at once, for
   * the caller to set its message aside.
   */
  private async retryWhileFailing<R>(call: () => Promise<R>): Promise<R> {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await call();
        // only a call that had failed proves the database is back (a cached answer proves nothing)
        if (attempt > 0) this.databaseUp();
        return result;
      } catch (error) {
        if (isDataError(error)) throw error;
        this.databaseDown(error);
        if (this.stopping) throw new RequeueError('collector shutting down while the database is failing');
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, RETRY_MIN_MS, this.config.dbRetryMaxMs)));
      }
    }
  }
}

/** The message as received, for the dead letter: its own text, never re-serialised (it may be too deep to). */
function payloadText(message: QueuedMessage): string {
  if (message.text !== undefined) return message.text;
  try {
    return JSON.stringify(message.data) ?? 'null';
  } catch (error) {
    return `(not serialisable: ${(error as Error).message})`;
  }
}

function databaseRefusal(error: unknown): string {
  return `(root): the database refused this message's data when written alone: ${errorCode(error) ?? 'error'} ${(error as Error).message}`;
}
