import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Roles } from '../auth/auth.decorators';
import { apiSchema } from '../common/api-schema';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { type CsvResponse, markCsv, wantsCsv } from './csv';
import { UsageQuery } from './query.schemas';
import { UsageService } from './usage.service';

const Figures = { energyKWh: z.number(), facilityEnergyKWh: z.number(), co2eqKg: z.number(), gpuHours: z.number(), idleShare: z.number() };
const UsageSchema = z.object({
  groupBy: z.string(),
  bucket: z.enum(['hour', 'day']),
  from: z.string(),
  to: z.string(),
  rows: z.array(z.object({ period: z.string(), key: z.string().nullable(), idle: z.boolean(), ...Figures, estimated: z.boolean() })),
  totals: z.object(Figures),
  estimatedHours: z.array(z.string()).describe('hours whose intensity or site was a fallback estimate'),
});

@ApiTags('reports')
@ApiBearerAuth()
@Roles('admin', 'viewer')
@Controller('api/v1/usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiQuery({ name: 'query', required: true, style: 'form', explode: true, schema: apiSchema(UsageQuery) })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description: 'Energy, facility energy, CO2eq, GPU-hours and idle share by group and period',
    schema: apiSchema(UsageSchema),
  })
  async usageReport(
    @Query(new ZodValidationPipe(UsageQuery)) query: UsageQuery,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: CsvResponse,
  ) {
    if (!wantsCsv(query.format, accept)) return this.usage.report(query, principal);
    markCsv(response, `usage-by-${query.groupBy}.csv`);
    return this.usage.csv(query, principal);
  }
}
