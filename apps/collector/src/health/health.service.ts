import { Inject, Injectable } from '@nestjs/common';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { IngestService } from '../ingest/ingest.service';
import { HealthRepository } from './health.repository';

export interface Readiness {
  ready: boolean;
  database: 'up' | 'down';
  redis: 'up' | 'down';
  /** `paused` while ingest retries a failing database (nothing is lost: the queue keeps the batches); `off` in an api-only process. */
  ingest: 'running' | 'paused' | 'off';
}

@Injectable()
export class HealthService {
  constructor(
    private readonly repository: HealthRepository,
    private readonly ingest: IngestService,
    @Inject(COLLECTOR_CONFIG) private readonly config: Pick<CollectorConfig, 'role'>,
  ) {}

  async readiness(): Promise<Readiness> {
    const [database, redis] = await Promise.all([this.repository.databaseReachable(), this.repository.redisReachable()]);
    const ingest = this.config.role === 'api' ? 'off' : this.ingest.paused ? 'paused' : 'running';
    return { ready: database && redis && ingest !== 'paused', database: database ? 'up' : 'down', redis: redis ? 'up' : 'down', ingest };
  }
}
