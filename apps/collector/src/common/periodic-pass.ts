import type { Logger } from '@nestjs/common';

/**
 * A pass run every `everyMs`, the next one scheduled when the last has finished (so passes never
 * overlap in one process), a failure logged and retried at the next pass. The timer does not keep
 * the process alive; `stop` waits for a pass in flight.
 */
export class PeriodicPass {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
  ) {}

  start(everyMs: number, pass: () => Promise<unknown>): void {
    const schedule = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        this.running = pass()
          .catch((error) => this.logger.warn(`${this.what} failed, retrying next pass: ${(error as Error).message}`))
          .finally(schedule);
      }, everyMs);
      this.timer.unref();
    };
    schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }
}
