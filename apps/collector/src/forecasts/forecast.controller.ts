import { Body, Controller, Get, Param, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { RunSpec } from '@wattprint/estimation';
import { Identifier } from '@wattprint/protocol';
import { z } from 'zod';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { CurrentPrincipal, type Principal, Roles } from '../auth/auth.decorators';
import { apiSchema } from '../common/api-schema';
import { ForecastErrorsFilter } from './forecast-errors.filter';
import { ForecastService, type ForecastView } from './forecast.service';

const Quantiles = z.object({ p10: z.number(), p50: z.number(), p90: z.number() });
const ForecastViewSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  team: z.string().nullable().describe('The team of the viewer token that created it; team viewers see only their own'),
  spec: z.record(z.string(), z.unknown()),
  result: z
    .object({
      energyKWh: Quantiles,
      facilityEnergyKWh: Quantiles,
      co2eqKg: Quantiles,
      durationH: Quantiles,
      gpuHours: z.number(),
      assumptions: z.array(z.string()),
    })
    .loose(),
});

@ApiTags('forecasts')
@ApiBearerAuth()
@Roles('admin', 'viewer')
@UseFilters(ForecastErrorsFilter)
@Controller('api/v1/forecasts')
export class ForecastController {
  constructor(private readonly forecasts: ForecastService) {}

  // The body is checked by the estimation library's own RunSpec parser (one problem per bad path),
  // so the API and `wattprint forecast` accept exactly the same specs.
  @Post()
  @ApiBody({ description: 'A run spec (shared/docs/spec-format.md)', schema: apiSchema(RunSpec) })
  @ApiCreatedResponse({
    description: 'The stored forecast; launch jobs with metadata forecastId = id',
    schema: apiSchema(ForecastViewSchema),
  })
  create(@Body() spec: unknown, @CurrentPrincipal() principal: Principal): Promise<ForecastView> {
    return this.forecasts.create(spec, principal);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'A stored forecast: its spec and result', schema: apiSchema(ForecastViewSchema) })
  @ApiNotFoundResponse({ description: 'No such forecast, or another team’s' })
  get(@Param('id', new ZodValidationPipe(Identifier)) id: string, @CurrentPrincipal() principal: Principal): Promise<ForecastView> {
    return this.forecasts.get(id, principal);
  }
}
