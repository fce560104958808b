import { Module } from '@nestjs/common';
import { JobEventsModule } from '../jobs/events/job-events.module';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { IngestWorker } from './ingest.worker';

/** The samples and job-events consumers. Needs the global Config, Database, Secrets, Queue and Metrics modules. */
@Module({ imports: [JobEventsModule], providers: [IngestRepository, IngestService, IngestWorker], exports: [IngestService] })
export class IngestModule {}
