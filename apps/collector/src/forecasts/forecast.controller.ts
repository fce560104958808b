import { Body, Controller, Get, Param, Post, Query, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AccuracyQuery, AccuracySchema } from '../calibration/calibration.schemas';
import { CalibrationService } from '../calibration/calibration.service';
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
  calibration: z
    .object({ source: z.literal('ledger'), profile: z.string(), observations: z.number(), mape: z.number(), fittedAt: z.string() })
    .nullable()
    .optional()
    .describe("POST: the ledger's fit of the spec's profile the forecast used; null when the profile has none yet"),
});

@ApiTags('forecasts')
@ApiBearerAuth()
@Roles('admin', 'viewer')
@UseFilters(ForecastErrorsFilter)
@Controller('api/v1/forecasts')
export class ForecastController {
  constructor(
    private readonly forecasts: ForecastService,
    private readonly calibration: CalibrationService,
  ) {}

  // Declared before :id, so that /accuracy is not read as a forecast id.
  @Get('accuracy')
  @ApiQuery({ name: 'query', required: false, style: 'form', explode: true, schema: apiSchema(AccuracyQuery) })
  @ApiOkResponse({
    description: 'Count, MAPE and p10–p90 coverage of forecasts against the measured ended jobs launched from them',
    schema: apiSchema(AccuracySchema),
  })
  accuracy(@Query(new ZodValidationPipe(AccuracyQuery)) query: AccuracyQuery, @CurrentPrincipal() principal: Principal) {
    return this.calibration.accuracy(query, principal);
  }

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
