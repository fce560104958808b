import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { CarbonModule } from './carbon/carbon.module';
import { ClockModule } from './clock/clock.module';
import type { CollectorConfig } from './config/collector-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { ForecastsModule } from './forecasts/forecasts.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { JobsModule } from './jobs/jobs.module';
import { MetricsModule } from './metrics/metrics.module';
import { QueueModule } from './queue/queue.module';
import { ReadsModule } from './reads/reads.module';
import { EmissionFactorsModule } from './reports/emission-factors.module';
import { ReportsModule } from './reports/reports.module';
import { SecretsModule } from './secrets/secrets.module';
import { RollupsModule } from './rollups/rollups.module';
import { JobEventsModule } from './jobs/events/job-events.module';
import { SearchesModule } from './searches/searches.module';
import { BudgetsModule } from './budgets/budgets.module';

type Imported = NonNullable<DynamicModule['imports']>[number];

/** Modules every process runs: a worker-only process still serves /health, /ready and /metrics. */
function coreModules(config: CollectorConfig): Imported[] {
  return [
    ConfigModule.forRoot(config),
    ClockModule,
    DatabaseModule.forRoot(config.databaseUrl, { sqliteBusyTimeoutMs: config.sqliteBusyTimeoutMs, readTimeoutMs: config.readTimeoutMs }),
    ReadsModule,
    SecretsModule,
    QueueModule,
    MetricsModule,
    JobEventsModule,
    RollupsModule,
    HealthModule,
    IngestModule,
  ];
}

/** The REST API, served by processes with the `api` or `all` role. Add a module here: one line. */
function apiModules(config: CollectorConfig): Imported[] {
  // One CarbonModule instance for both imports, so its controllers and poller register once.
  const carbon = CarbonModule.forRoot(config.carbon);
  return [
    carbon,
    EmissionFactorsModule.fromCarbon(carbon),
    AuthModule,
    JobsModule,
    ReportsModule,
    ForecastsModule,
    BudgetsModule,
    SearchesModule,
  ];
}

@Module({})
export class AppModule {
  static forRoot(config: CollectorConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [...coreModules(config), ...(config.role === 'worker' ? [] : apiModules(config))],
    };
  }
}
