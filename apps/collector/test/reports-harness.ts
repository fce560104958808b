/**
 * Boots the real collector API modules (auth, jobs, reports, forecasts, carbon for the emission factors,
 * and the bounds on reads)
 * on a fresh database of one dialect, for the HTTP suites of test/auth*, test/jobs* and
 * test/reports*.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Global, type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { connect, type DatabaseHandle, type DialectName, migrateToLatest } from '@wattprint/db';
import { createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import request from 'supertest';
import { AuthModule } from '../src/auth/auth.module';
import { CarbonModule } from '../src/carbon/carbon.module';
import { parseCollectorConfig } from '../src/config/collector-config';
import { ClockModule } from '../src/clock/clock.module';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { ForecastsModule } from '../src/forecasts/forecasts.module';
import { JobsModule } from '../src/jobs/jobs.module';
import { EmissionFactorsModule } from '../src/reports/emission-factors.module';
import { ReportsModule } from '../src/reports/reports.module';
import { ReadsModule } from '../src/reads/reads.module';
import { ReadScope } from '../src/reads/read-scope';
import { MetricsRegistry } from '../src/metrics/metrics.registry';
import { applyHttpLimits } from '../src/http/http-limits';
import { SecretsModule } from '../src/secrets/secrets.module';

/** The app's metrics registry alone: MetricsModule's ingest figures would need Redis, which these suites do not start. */
@Global()
@Module({ providers: [MetricsRegistry], exports: [MetricsRegistry] })
class MetricsRegistryModule {}

export const BOOTSTRAP_TOKEN = 'bootstrap-secret-for-tests-0123456789';

/** The Authorization header of a bearer secret, for supertest's `.set()`. */
export const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` });

export interface ApiHarness {
  app: INestApplication;
  /** A direct connection to the same database, to seed rows and inspect what the API stored. */
  db: DatabaseHandle;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The API on a fresh database of `dialect`, or on `reuse` (another harness's database, as a restart
 * or a second replica would see it; its owner drops it).
 */
export async function startApi(
  dialect: DialectName,
  env: Record<string, string> = {},
  extraModules: Type[] = [],
  reuse?: TestDatabase,
): Promise<ApiHarness & { testDb: TestDatabase }> {
  const testDb: TestDatabase = reuse ?? (await createTestDatabase(dialect));
  const db = connect({ url: testDb.url });
  await migrateToLatest(db.db, dialect);
  // a prefix of its own: the rate limit's counts in Redis are then this harness's alone
  const prefix = `{wp-api-${randomBytes(4).toString('hex')}}`;
  const config = parseCollectorConfig({
    DATABASE_URL: testDb.url,
    WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
    WATTPRINT_QUEUE_PREFIX: prefix,
    ...env,
  });

  @Module({
    imports: [
      MetricsRegistryModule,
      ConfigModule.forRoot(config),
      ClockModule,
      DatabaseModule.forRoot(testDb.url, { readTimeoutMs: config.readTimeoutMs }),
      ReadsModule,
      SecretsModule,
      CarbonModule,
      EmissionFactorsModule.fromCarbon(CarbonModule),
      AuthModule,
      JobsModule,
      ReportsModule,
      ForecastsModule,
      ...extraModules,
    ],
  })
  class TestApiModule {}

  const app = await NestFactory.create<NestExpressApplication>(TestApiModule, { logger: false });
  app.use(app.get(ReadScope).middleware());
  applyHttpLimits(app, config);
  await app.init();
  return {
    app,
    db,
    http: () => request(app.getHttpServer()),
    testDb,
    close: async () => {
      await app.close();
      await db.close();
      if (reuse === undefined) await testDb.drop();
    },
  };
}

/** Creates a token through the API (as the bootstrap admin or `asSecret`) and returns its secret. */
export async function createToken(api: ApiHarness, body: Record<string, unknown>, asSecret = BOOTSTRAP_TOKEN): Promise<string> {
  const res = await api.http().post('/api/v1/tokens').set('Authorization', `Bearer ${asSecret}`).send(body);
  if (res.status !== 201) throw new Error(`creating a token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.secret as string;
}
