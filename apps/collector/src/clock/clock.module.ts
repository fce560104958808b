import { Global, Module } from '@nestjs/common';
import { ClockRepository } from './clock.repository';

/** Global: every module reads time through the same ClockRepository. */
@Global()
@Module({ providers: [ClockRepository], exports: [ClockRepository] })
export class ClockModule {}
