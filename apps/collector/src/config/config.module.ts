import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { CollectorConfig } from './collector-config';

/**
 * Injection token of the parsed CollectorConfig, read once by parseCollectorConfig (the carbon providers'
 * variables included): nothing else in the collector reads process.env.
 */
export const COLLECTOR_CONFIG = Symbol('COLLECTOR_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: CollectorConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: COLLECTOR_CONFIG, useValue: config }], exports: [COLLECTOR_CONFIG] };
  }
}
