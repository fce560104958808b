import { Module } from '@nestjs/common';
import { IngestModule } from '../ingest/ingest.module';
import { HealthController } from './health.controller';
import { HealthRepository } from './health.repository';
import { HealthService } from './health.service';

/** /health and /ready; readiness includes whether ingest is paused (it reads IngestService's state). */
@Module({ imports: [IngestModule], controllers: [HealthController], providers: [HealthService, HealthRepository] })
export class HealthModule {}
