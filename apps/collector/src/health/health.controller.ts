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
    ingest: { type: 'string', enum: ['running', 'paused', 'off'], description: 'paused while ingest retries a failing database' },
  },
  required: ['ready', 'database', 'redis', 'ingest'],
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

  /** Readiness: the database and Redis both answer, and ingest is not paused. */
  @Get('ready')
  @Public()
  @ApiOkResponse({ description: 'Database and Redis reachable, ingest running (or off in an api-only process).', schema: readinessSchema })
  @ApiServiceUnavailableResponse({
    description: 'Database or Redis unreachable, or ingest paused retrying the database.',
    schema: readinessSchema,
  })
  async ready(): Promise<Readiness> {
    const readiness = await this.health.readiness();
    if (!readiness.ready) throw new ServiceUnavailableException(readiness);
    return readiness;
  }
}
