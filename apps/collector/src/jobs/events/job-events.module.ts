import { Module } from '@nestjs/common';
import { JobEventRepository } from './job-event.repository';
import { JobEventService } from './job-event.service';

/**
 * Applying job events, for every process: the ingest worker applies agents' events, the API (which
 * registers JobEventController in JobsModule) schedulers'.
 */
@Module({ providers: [JobEventRepository, JobEventService], exports: [JobEventService] })
export class JobEventsModule {}
