import type { Logger } from '../logger';
import { type AgentMetrics, noMetrics } from '../metrics/agent-metrics';
import type { DiskSpool } from '../spool/disk-spool';
import type { MessageSink } from './bullmq-sink';
import { decodeMessage, encodeMessage, type OutboundMessage } from './outbound-message';

/**
 * Sends messages to Redis, or to the disk spool when Redis cannot take them. While the spool holds
 * anything, new messages queue behind it, so delivery keeps the order messages were made in.
 */
export class Outbox {
  private draining: Promise<void> | null = null;
  sent = 0;
  spooled = 0;
  replayed = 0;

  constructor(
    private readonly sink: MessageSink,
    private readonly spool: DiskSpool,
    private readonly log: Logger,
    private readonly metrics: AgentMetrics = noMetrics,
  ) {}

  async send(message: OutboundMessage): Promise<void> {
    if (this.spool.records === 0 && this.sink.ready) {
      try {
        await this.sink.add(message);
        this.sent++;
        this.metrics.delivered(message.queue, 'sent');
        return;
      } catch (error) {
        this.log.warn('add failed; spooling', { jobId: message.jobId, error: (error as Error).message });
      }
    }
    await this.spool.append(encodeMessage(message));
    this.spooled++;
    this.metrics.delivered(message.queue, 'spooled');
  }

  /** Replays the spool oldest first while Redis takes it; a record leaves the spool only once added. */
  drain(): Promise<void> {
    if (!this.draining) this.draining = this.drainNow().finally(() => (this.draining = null));
    return this.draining;
  }

  private async drainNow(): Promise<void> {
    while (this.sink.ready) {
      const record = await this.spool.peek();
      if (!record) return;
      let message: OutboundMessage;
      try {
        message = decodeMessage(record.payload);
      } catch (error) {
        this.log.error('spool record is not a message; skipped', { error: (error as Error).message });
        await record.ack();
        continue;
      }
      try {
        await this.sink.add(message);
      } catch (error) {
        this.log.warn('replay paused: add failed', { jobId: message.jobId, error: (error as Error).message });
        return;
      }
      await record.ack();
      this.replayed++;
      this.metrics.delivered(message.queue, 'replayed');
    }
  }

  get pending(): number {
    return this.spool.records;
  }
}
