import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ReadMetrics } from './read.metrics';
import { ReadScopeMiddleware } from './read-scope.middleware';
import { ReadStoppedFilter } from './read-stopped.filter';

/**
 * Long reads on the database: every GET request's queries are bounded by WATTPRINT_READ_TIMEOUT_MS and
 * cancelled when its client goes away (PostgreSQL); the answers and the metric of reads so stopped.
 * Needs the app's MetricsModule (its registry) and DatabaseModule.
 */
@Module({
  providers: [ReadMetrics, { provide: APP_FILTER, useClass: ReadStoppedFilter }],
})
export class ReadsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ReadScopeMiddleware).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }
}
