import { Global, Module } from '@nestjs/common';
import { IngestMetrics } from './ingest.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';

@Global()
@Module({ controllers: [MetricsController], providers: [MetricsRegistry, IngestMetrics], exports: [MetricsRegistry, IngestMetrics] })
export class MetricsModule {}
