import { Global, Module } from '@nestjs/common';
import { HttpMetrics } from './http.metrics';
import { IngestMetrics } from './ingest.metrics';
import { MetricsController } from './metrics.controller';
import { MetricsRegistry } from './metrics.registry';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRegistry, IngestMetrics, HttpMetrics],
  exports: [MetricsRegistry, IngestMetrics, HttpMetrics],
})
export class MetricsModule {}
