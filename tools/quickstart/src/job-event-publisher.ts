import type { CollectorClient } from '@wattprint/api-client';
import { wallOffsetMs, type PlannedJobEvent } from './job-event-plan';

const SEND_AT_ONCE = 16;

/**
 * Publishes the planned job events through the collector's scheduler API when the replay reaches
 * their time, with a token of role scheduler: what a Slurm prolog and epilog do (deploy/slurm).
 */
export class JobEventPublisher {
  private timer: NodeJS.Timeout | null = null;
  private next = 0;
  private sending: Promise<void> = Promise.resolve();
  published = 0;

  constructor(
    private readonly api: CollectorClient,
    private readonly plan: PlannedJobEvent[],
    private readonly onError: (error: Error) => void,
  ) {}

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

  /**
   * Sends what is due, a few at a time: at a high replay speed a whole search's trials fall due at once,
   * and events of one job may land in any order (a scheduler's end stands whatever comes after).
   */
  private async send(due: PlannedJobEvent[]): Promise<void> {
    for (let i = 0; i < due.length; i += SEND_AT_ONCE) {
      await Promise.all(due.slice(i, i + SEND_AT_ONCE).map(({ event }) => this.api.publishJobEvent(event)));
      this.published += Math.min(SEND_AT_ONCE, due.length - i);
    }
  }

  get pending(): number {
    return this.plan.length - this.next;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.sending.catch(() => undefined);
  }
}
