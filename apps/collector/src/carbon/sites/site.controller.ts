import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles } from '../../auth/auth.decorators';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { apiSchema } from '../../common/api-schema';
import { CarbonHttpErrorsFilter } from '../common/carbon-http-errors.filter';
import type { NodeRecord } from './site.repository';
import {
  AssignNodeBody,
  CreateSiteBody,
  NodeName,
  NodeResponse,
  PueScheduleBody,
  PueScheduleResponse,
  SiteId,
  SiteResponse,
  UpdateSiteBody,
} from './site.schemas';
import { SiteService } from './site.service';

const siteIdPipe = new ZodValidationPipe(SiteId);

@ApiTags('sites')
@ApiBearerAuth()
@Roles('admin')
@UseFilters(CarbonHttpErrorsFilter)
@Controller('api/v1/sites')
export class SiteController {
  constructor(private readonly sites: SiteService) {}

  @Post()
  @ApiBody({ schema: apiSchema(CreateSiteBody) })
  @ApiCreatedResponse({ description: 'The new site', schema: apiSchema(SiteResponse) })
  create(@Body(new ZodValidationPipe(CreateSiteBody)) body: CreateSiteBody): Promise<SiteResponse> {
    return this.sites.create(body);
  }

  @Get()
  @ApiOkResponse({
    description: 'Every site with its PUE schedule and nodes',
    schema: apiSchema(z.object({ sites: z.array(SiteResponse) })),
  })
  async list(): Promise<{ sites: SiteResponse[] }> {
    return { sites: await this.sites.list() };
  }

  @Get(':id')
  @ApiOkResponse({ description: 'One site', schema: apiSchema(SiteResponse) })
  get(@Param('id', siteIdPipe) id: string): Promise<SiteResponse> {
    return this.sites.get(id);
  }

  @Patch(':id')
  @ApiBody({ schema: apiSchema(UpdateSiteBody) })
  @ApiOkResponse({ description: 'The changed site', schema: apiSchema(SiteResponse) })
  update(@Param('id', siteIdPipe) id: string, @Body(new ZodValidationPipe(UpdateSiteBody)) body: UpdateSiteBody): Promise<SiteResponse> {
    return this.sites.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted; its nodes become unassigned' })
  delete(@Param('id', siteIdPipe) id: string): Promise<void> {
    return this.sites.delete(id);
  }

  @Get(':id/pue')
  @ApiOkResponse({ description: 'The PUE schedule: each step holds until the next', schema: apiSchema(PueScheduleResponse) })
  pue(@Param('id', siteIdPipe) id: string) {
    return this.sites.pueSchedule(id);
  }

  @Put(':id/pue')
  @ApiBody({ schema: apiSchema(PueScheduleBody) })
  @ApiOkResponse({ description: 'The PUE schedule as now stored', schema: apiSchema(PueScheduleResponse) })
  setPue(@Param('id', siteIdPipe) id: string, @Body(new ZodValidationPipe(PueScheduleBody)) body: PueScheduleBody) {
    return this.sites.setPueSchedule(id, body);
  }
}

@ApiTags('sites')
@ApiBearerAuth()
@Roles('admin')
@UseFilters(CarbonHttpErrorsFilter)
@Controller('api/v1/nodes')
export class NodeController {
  constructor(private readonly sites: SiteService) {}

  @Get()
  @ApiOkResponse({ description: 'Known nodes and their sites', schema: apiSchema(z.object({ nodes: z.array(NodeResponse) })) })
  async list(): Promise<{ nodes: NodeRecord[] }> {
    return { nodes: await this.sites.listNodes() };
  }

  @Put(':node/site')
  @ApiBody({ schema: apiSchema(AssignNodeBody) })
  @ApiOkResponse({ description: 'The node and its site (null = unassigned)', schema: apiSchema(NodeResponse) })
  assign(
    @Param('node', new ZodValidationPipe(NodeName)) node: string,
    @Body(new ZodValidationPipe(AssignNodeBody)) body: AssignNodeBody,
  ): Promise<NodeRecord> {
    return this.sites.assignNode(node, body);
  }
}
