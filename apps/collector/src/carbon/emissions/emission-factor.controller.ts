import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { HOUR_MS, hourFactorKey, hourStartOf } from '@wattprint/carbon';
import { Roles } from '../../auth/auth.decorators';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { CarbonService } from '../carbon.service';
import { apiSchema } from '../../common/api-schema';
import { toIso } from '../common/carbon.schemas';
import { EmissionFactorQuery, EmissionFactorsResponse } from './emission-factor.schemas';

/** The factors reports apply to a node, hour by hour: what an operator checks when a figure surprises. */
@ApiTags('intensity')
@ApiBearerAuth()
@Controller('api/v1/emission-factors')
export class EmissionFactorController {
  constructor(private readonly carbon: CarbonService) {}

  @Get()
  @Roles('admin', 'viewer')
  @ApiQuery({ name: 'node', required: true, example: 'gpu-node-07' })
  @ApiQuery({ name: 'from', required: true, example: '2026-11-20T00:00:00Z' })
  @ApiQuery({ name: 'to', required: true, example: '2026-11-21T00:00:00Z' })
  @ApiOkResponse({
    description: 'PUE, intensity and their sources for each hour of [from, to), estimated hours flagged',
    schema: apiSchema(EmissionFactorsResponse),
  })
  async factors(@Query(new ZodValidationPipe(EmissionFactorQuery)) query: EmissionFactorQuery): Promise<EmissionFactorsResponse> {
    const hours: number[] = [];
    for (let h = hourStartOf(query.from); h < query.to; h += HOUR_MS) hours.push(h);
    const factors = await this.carbon.hourFactors(hours.map((hourStart) => ({ node: query.node, hourStart })));
    return { node: query.node, hours: hours.map((h) => ({ hourStart: toIso(h), ...factors.get(hourFactorKey(query.node, h))! })) };
  }
}
