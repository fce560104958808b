import { Module } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { DATABASE } from '../database/database.module';
import { JobEventsModule } from '../jobs/events/job-events.module';
import { IngestRepository } from './ingest.repository';
import { AgentRegistryRepository } from './ledger/agent-registry.repository';
import { BatchKeyRepository } from './ledger/batch-key.repository';
import { DeadLetterRepository } from './ledger/dead-letter.repository';
import { EnergyBucketRepository } from './ledger/energy-bucket.repository';
import { InferredJobRepository } from './ledger/inferred-job.repository';
import { INGEST_DIALECT, ingestDialect } from './ledger/ingest-dialect';
import { LateHourRepository } from './ledger/late-hour.repository';
import { SeqGapRepository } from './ledger/seq-gap.repository';
import { IngestService } from './ingest.service';
import { IngestWorker } from './ingest.worker';

/** The samples and job-events consumers. Needs the global Config, Database, Secrets, Queue and Metrics modules. */
@Module({
  imports: [JobEventsModule],
  providers: [
    { provide: INGEST_DIALECT, inject: [DATABASE], useFactory: (handle: DatabaseHandle) => ingestDialect(handle.dialect) },
    AgentRegistryRepository,
    BatchKeyRepository,
    EnergyBucketRepository,
    InferredJobRepository,
    LateHourRepository,
    SeqGapRepository,
    DeadLetterRepository,
    IngestRepository,
    IngestService,
    IngestWorker,
  ],
  exports: [IngestService],
})
export class IngestModule {}
