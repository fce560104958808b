import { Injectable } from '@nestjs/common';
import { HealthRepository } from './health.repository';

export interface Readiness {
  ready: boolean;
  database: 'up' | 'down';
  redis: 'up' | 'down';
}

@Injectable()
export class HealthService {
  constructor(private readonly repository: HealthRepository) {}

  async readiness(): Promise<Readiness> {
    const [database, redis] = await Promise.all([this.repository.databaseReachable(), this.repository.redisReachable()]);
    return { ready: database && redis, database: database ? 'up' : 'down', redis: redis ? 'up' : 'down' };
  }
}
