import { Injectable } from '@nestjs/common';

/**
 * The wall clock, the one place the collector reads the time (epoch milliseconds): revision stamps,
 * creation times, poll schedules and "now" in reports all come from here, so a test can hand in a
 * clock of its own and every reader of time sees the same one.
 */
@Injectable()
export class ClockRepository {
  now(): number {
    return Date.now();
  }
}
