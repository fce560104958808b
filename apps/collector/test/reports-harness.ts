/**
 * Boots the real collector API modules (auth, jobs, reports, forecasts, and carbon for the emission factors)
 * on a fresh database of one dialect, for the HTTP suites of test/auth*, test/jobs* and
 * test/reports*.
 */
import 'reflect-metadata';
import { type INestApplication, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
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

export const BOOTSTRAP_TOKEN = 'bootstrap-secret-for-tests-0123456789';

export interface ApiHarness {
  app: INestApplication;
  /** A direct connection to the same database, to seed rows and inspect what the API stored. */
  db: DatabaseHandle;
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

export async function startApi(dialect: DialectName, env: Record<string, string> = {}, extraModules: Type[] = []): Promise<ApiHarness> {
  const testDb: TestDatabase = await createTestDatabase(dialect);
  const db = connect({ url: testDb.url });
  await migrateToLatest(db.db, dialect);
  const config = parseCollectorConfig({ DATABASE_URL: testDb.url, WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN, ...env });

  @Module({
    imports: [
      ConfigModule.forRoot(config),
      ClockModule,
      DatabaseModule.forRoot(testDb.url),
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

  const app = await NestFactory.create(TestApiModule, { logger: false });
  await app.init();
  return {
    app,
    db,
    http: () => request(app.getHttpServer()),
    close: async () => {
      await app.close();
      await db.close();
      await testDb.drop();
    },
  };
}

/** Creates a token through the API (as the bootstrap admin or `asSecret`) and returns its secret. */
export async function createToken(api: ApiHarness, body: Record<string, unknown>, asSecret = BOOTSTRAP_TOKEN): Promise<string> {
  const res = await api.http().post('/api/v1/tokens').set('Authorization', `Bearer ${asSecret}`).send(body);
  if (res.status !== 201) throw new Error(`creating a token failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.secret as string;
}
