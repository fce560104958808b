import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ReadMetrics } from './read.metrics';
import { ReadScope } from './read-scope';
import { ReadStoppedFilter } from './read-stopped.filter';

/**
 * Long reads on the database: every GET request's queries are bounded by WATTPRINT_READ_TIMEOUT_MS and
 * cancelled when its client goes away (PostgreSQL); the answers and the metric of reads so stopped.
 * Needs the app's MetricsModule (its registry) and DatabaseModule; the app mounts ReadScope's middleware.
 */
@Module({
  providers: [ReadScope, ReadMetrics, { provide: APP_FILTER, useClass: ReadStoppedFilter }],
  exports: [ReadScope],
})
export class ReadsModule {}
