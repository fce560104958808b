import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/auth.decorators';
import { HealthService, type Readiness } from './health.service';

const readinessSchema = {
  type: 'object',
  properties: {
    ready: { type: 'boolean' },
    database: { type: 'string', enum: ['up', 'down'] },
    redis: { type: 'string', enum: ['up', 'down'] },
  },
  required: ['ready', 'database', 'redis'],
};

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: the process answers. */
  @Get('health')
  @Public()
  @ApiOkResponse({
    description: 'The process is up.',
    schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } } },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database and Redis both answer. */
  @Get('ready')
  @Public()
  @ApiOkResponse({ description: 'Database and Redis reachable.', schema: readinessSchema })
  @ApiServiceUnavailableResponse({ description: 'Database or Redis unreachable.', schema: readinessSchema })
  async ready(): Promise<Readiness> {
    const readiness = await this.health.readiness();
    if (!readiness.ready) throw new ServiceUnavailableException(readiness);
    return readiness;
  }
}
