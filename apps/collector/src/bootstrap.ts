import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { connect, grantReader, migrateToLatest } from '@wattprint/db';
import { type StructuredLogger, createStructuredLogger } from '@wattprint/runtime';
import { AppModule } from './app.module';
import { applyHttpLimits } from './http/http-limits';
import type { CollectorConfig } from './config/collector-config';
import { httpLogging } from './logging/http-logging';
import { PinoNestLogger } from './logging/pino-nest-logger';
import { HttpMetrics } from './metrics/http.metrics';
import { ReadScope } from './reads/read-scope';

/**
 * Brings the database schema up to date, then gives the reader role (WATTPRINT_READER_ROLE, e.g.
 * Grafana's) SELECT on the tables without secrets; returns the migrations it applied.
 */
export async function migrateDatabase(config: Pick<CollectorConfig, 'databaseUrl' | 'readerRole'>): Promise<string[]> {
  const handle = connect({ url: config.databaseUrl, poolSize: 1 });
  try {
    const applied = await migrateToLatest(handle.db, handle.dialect);
    if (config.readerRole !== undefined) await grantReader(handle.db, handle.dialect, config.readerRole);
    return applied;
  } finally {
    await handle.close();
  }
}

export interface CreateAppOptions {
  /** Where the app logs; default JSON lines on stdout at `config.logLevel`. */
  logger?: StructuredLogger;
}

/** The collector's logger: JSON lines on stdout, at WATTPRINT_LOG_LEVEL. */
export function collectorLogger(config: Pick<CollectorConfig, 'logLevel'>): StructuredLogger {
  return createStructuredLogger({ service: 'collector', level: config.logLevel });
}

/**
 * The collector as a Nest application, migrated, with shutdown hooks and OpenAPI at /docs and
 * /docs-json; not yet listening. The queue consumers start with it when the role includes the worker.
 */
export async function createCollectorApp(config: CollectorConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  await migrateDatabase(config);
  const logger = options.logger ?? collectorLogger(config);
  // Nest routes its own lines and every `new Logger('X')` to the logger given here.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { logger: new PinoNestLogger(logger) });
  // first, so that the time and status of every answer count, those of guards and filters included
  app.use(app.get(HttpMetrics).middleware());
  app.use(httpLogging(logger));
  // after the logging, so that the request id is known where a stopped read is answered
  app.use(app.get(ReadScope).middleware());
  applyHttpLimits(app, config);
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Wattprint collector')
      .setDescription('Energy and carbon ledger of GPU clusters: ingest, jobs, carbon, forecasts and reports.')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}
