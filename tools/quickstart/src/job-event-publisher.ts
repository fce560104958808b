import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { JobEvent, MessageName, QueueName, parseWith, problemLines, signed } from '@wattprint/protocol';
import { wallOffsetMs, type PlannedJobEvent } from './job-event-plan';

/**
 * Sends the planned job events, signed with each node's agent key, on the job-events queue when the
 * replay reaches their time: what a Slurm prolog/epilog would do for jobs the agent cannot see in /proc.
 */
export class JobEventPublisher {
  private readonly connection: IORedis;
  private readonly queue: Queue;
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private sending: Promise<void> = Promise.resolve();
  published = 0;

  constructor(
    redisUrl: string,
    prefix: string,
    private readonly plan: PlannedJobEvent[],
    private readonly keyOf: (node: string) => string,
    private readonly onError: (error: Error) => void,
  ) {
    this.connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
    this.connection.on('error', () => undefined); // BullMQ retries; a lasting outage shows in the agents' logs
    this.queue = new Queue(QueueName.JobEvents, { connection: this.connection, prefix });
  }

  /** Starts sending, the replay having started at wall time `replayStartedAt`. */
  start(replayStartedAt: number, traceStartMs: number, speed: number): void {
    const tick = () => {
      const due: PlannedJobEvent[] = [];
      const elapsed = Date.now() - replayStartedAt;
      while (this.next < this.plan.length && wallOffsetMs(this.plan[this.next].traceMs, traceStartMs, speed) <= elapsed)
        due.push(this.plan[this.next++]);
      if (due.length > 0) this.sending = this.sending.then(() => this.send(due)).catch((error: Error) => this.onError(error));
      if (this.next < this.plan.length) this.timer = setTimeout(tick, 100);
    };
    tick();
  }

  private async send(due: PlannedJobEvent[]): Promise<void> {
    const jobs = due.map(({ node, event }) => {
      const message = signed(event, this.keyOf(node));
      const checked = parseWith(JobEvent, message);
      if (!checked.ok)
        throw new Error(`job event ${event.eventId} breaks the JobEvent schema: ${problemLines(checked.problems).join('; ')}`);
      return { name: MessageName.JobEvent, data: message, opts: { jobId: `e.${event.eventId}`, removeOnComplete: { age: 3600 } } };
    });
    await this.queue.addBulk(jobs);
    this.published += jobs.length;
  }

  get pending(): number {
    return this.plan.length - this.next;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.sending.catch(() => undefined);
    await this.queue.close();
    this.connection.disconnect();
  }
}
