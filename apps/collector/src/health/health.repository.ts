import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { sql } from 'kysely';
import { DATABASE } from '../database/database.module';
import { QueueRepository } from '../queue/queue.repository';

@Injectable()
export class HealthRepository {
  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    private readonly queues: QueueRepository,
  ) {}

  async databaseReachable(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const probe = sql`SELECT 1`.execute(this.handle.db).then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([probe, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  redisReachable(): Promise<boolean> {
    return this.queues.ping();
  }
}
