import { Module } from '@nestjs/common';
import { RetentionRepository } from './retention.repository';
import { RollupMetrics } from './rollup.metrics';
import { RollupRepository } from './rollup.repository';
import { RollupService } from './rollup.service';

/** Folding hours, partitions ahead, retention. Needs the global Config, Database and Metrics modules. */
@Module({ providers: [RollupRepository, RetentionRepository, RollupMetrics, RollupService], exports: [RollupService, RollupRepository] })
export class RollupsModule {}
