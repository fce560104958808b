import { Body, Controller, Get, HttpCode, Param, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Identifier } from '@wattprint/protocol';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuthErrorsFilter } from './auth-errors.filter';
import { Roles } from './auth.decorators';
import { AgentViewSchema, AgentWithKeySchema, RegisterAgentBody, type AgentView } from './agent.schemas';
import { AgentService } from './agent.service';
import { apiSchema } from '../common/api-schema';

@ApiTags('agents')
@ApiBearerAuth()
@Roles('admin')
@UseFilters(AuthErrorsFilter)
@Controller('api/v1/agents')
export class AgentController {
  constructor(private readonly agents: AgentService) {}

  @Post()
  @ApiBody({ schema: apiSchema(RegisterAgentBody) })
  @ApiCreatedResponse({ description: 'The agent and its HMAC key, shown this once', schema: apiSchema(AgentWithKeySchema) })
  register(@Body(new ZodValidationPipe(RegisterAgentBody)) body: RegisterAgentBody): Promise<AgentView & { key: string }> {
    return this.agents.register(body);
  }

  @Get()
  @ApiOkResponse({ description: 'Registered agents, without keys', schema: apiSchema(z.object({ agents: z.array(AgentViewSchema) })) })
  async list(): Promise<{ agents: AgentView[] }> {
    return { agents: await this.agents.list() };
  }

  @Post(':id/rotate-key')
  @HttpCode(200)
  @ApiOkResponse({ description: 'A new HMAC key, shown this once; the old one stops verifying', schema: apiSchema(AgentWithKeySchema) })
  rotateKey(@Param('id', new ZodValidationPipe(Identifier)) id: string): Promise<AgentView & { key: string }> {
    return this.agents.rotateKey(id);
  }
}
