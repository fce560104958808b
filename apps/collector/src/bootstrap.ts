import 'reflect-metadata';
import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { connect, grantReader, migrateToLatest } from '@wattprint/db';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { applyHttpLimits } from './http/http-limits';
import type { CollectorConfig } from './config/collector-config';

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
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * The collector as a Nest application, migrated, with shutdown hooks and OpenAPI at /docs and
 * /docs-json; not yet listening. The queue consumers start with it when the role includes the worker.
 */
export async function createCollectorApp(config: CollectorConfig, options: CreateAppOptions = {}): Promise<INestApplication> {
  await migrateDatabase(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: options.logger ?? ['log', 'warn', 'error'],
  });
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
