import { Controller, Get, Headers, Param, Query, Res, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, Roles } from '../auth/auth.decorators';
import { apiSchema } from '../common/api-schema';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { type CsvResponse, markCsv, wantsCsv } from '../reports/csv';
import { JobErrorsFilter } from './job-errors.filter';
import { jobsCsv } from './job-csv';
import { JobDetailSchema, JobIdParam, JobListSchema, ListJobsQuery } from './job.schemas';
import { JobService } from './job.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Roles('admin', 'viewer')
@UseFilters(JobErrorsFilter)
@Controller('api/v1/jobs')
export class JobController {
  constructor(private readonly jobs: JobService) {}

  @Get()
  @ApiQuery({ name: 'query', required: false, style: 'form', explode: true, schema: apiSchema(ListJobsQuery) })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ description: 'A page of jobs, newest first (CSV: every matching job)', schema: apiSchema(JobListSchema) })
  async list(
    @Query(new ZodValidationPipe(ListJobsQuery)) query: ListJobsQuery,
    @CurrentPrincipal() principal: Principal,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: CsvResponse,
  ) {
    if (!wantsCsv(query.format, accept)) return this.jobs.list(query, principal);
    markCsv(response, 'jobs.csv');
    return jobsCsv(await this.jobs.listAll(query, principal));
  }

  @Get(':id')
  @ApiOkResponse({
    description: 'One job: energy, facility energy, CO2eq, breakdowns, timeline, gaps, forecast',
    schema: apiSchema(JobDetailSchema),
  })
  @ApiNotFoundResponse({ description: 'No such job, or another team’s' })
  detail(@Param('id', new ZodValidationPipe(JobIdParam)) id: string, @CurrentPrincipal() principal: Principal) {
    return this.jobs.detail(id, principal);
  }
}
