import { Module } from '@nestjs/common';
import { IngestRepository } from './ingest.repository';
import { IngestService } from './ingest.service';
import { IngestWorker } from './ingest.worker';
import { JobEventRepository } from './job-event.repository';

/** The samples and job-events consumers. Needs the global Config, Database, Queue and Metrics modules. */
@Module({ providers: [IngestRepository, JobEventRepository, IngestService, IngestWorker], exports: [IngestService] })
export class IngestModule {}
