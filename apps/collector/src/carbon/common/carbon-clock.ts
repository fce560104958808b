import { Injectable } from '@nestjs/common';

/** The wall clock, behind a provider so revision stamps and poll schedules have one source of time. */
@Injectable()
export class CarbonClock {
  now(): number {
    return Date.now();
  }
}
