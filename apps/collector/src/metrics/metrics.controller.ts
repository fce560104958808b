import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { MetricsRegistry } from './metrics.registry';

@ApiTags('operations')
@Controller()
export class MetricsController {
  constructor(private readonly registry: MetricsRegistry) {}

  @Get('metrics')
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description:
      'Prometheus text exposition; the Wattprint metrics (wattprint_*) and the standard Node process metrics (process_*, nodejs_*).',
    schema: { type: 'string' },
  })
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
