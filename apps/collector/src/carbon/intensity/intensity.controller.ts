import type { IncomingMessage } from 'node:http';
import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Post,
  Query,
  Req,
  UnsupportedMediaTypeException,
  UseFilters,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../auth/auth.decorators';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { apiSchema } from '../../common/api-schema';
import { CarbonHttpErrorsFilter } from '../common/carbon-http-errors.filter';
import { COLLECTOR_CONFIG } from '../../config/config.module';
import type { CollectorConfig } from '../../config/collector-config';
import { limitBytes, linesOf, tooLarge } from './line-stream';
import { ImportQuery, ImportSummary, IntensityQuery, IntensitySeriesResponse, JsonImportBody } from './intensity.schemas';
import { IntensityService } from './intensity.service';

@ApiTags('intensity')
@ApiBearerAuth()
@UseFilters(CarbonHttpErrorsFilter)
@Controller('api/v1/intensity')
export class IntensityController {
  constructor(
    private readonly intensity: IntensityService,
    @Inject(COLLECTOR_CONFIG) private readonly config: Pick<CollectorConfig, 'importLimitBytes'>,
  ) {}

  @Post('import')
  @HttpCode(200)
  @Roles('admin')
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({
    description: 'A JSON array of {region,start,end,gPerKwh,kind?}, or CSV text with a header line region,start,end,g_per_kwh[,kind]',
    schema: apiSchema(JsonImportBody),
  })
  @ApiQuery({ name: 'kind', required: false, enum: ['actual', 'forecast'], description: 'kind of rows without their own (default actual)' })
  @ApiQuery({ name: 'source', required: false, description: 'recorded as import:<source>; default source is api' })
  @ApiQuery({ name: 'line', required: false, description: 'CSV chunk: line of the original file of the first data row (default 2)' })
  @ApiQuery({ name: 'index', required: false, description: 'JSON chunk: index in the original array of the first element (default 0)' })
  @ApiOkResponse({
    description: 'Counts, and each bad value with its line or index, column, value and what was expected',
    schema: apiSchema(ImportSummary),
  })
  import(
    @Headers('content-type') contentType: string | undefined,
    @Query(new ZodValidationPipe(ImportQuery)) query: ImportQuery,
    @Req() req: IncomingMessage,
    @Body() body: unknown,
  ): Promise<ImportSummary> {
    const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (type === 'text/csv') {
      const limit = this.config.importLimitBytes;
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, declared);
      return this.intensity.importCsv(linesOf(limitBytes(req, limit)), query);
    }
    if (type === 'application/json') return this.intensity.importJson(body, query);
    throw new UnsupportedMediaTypeException({
      error: 'unsupported_media_type',
      message: `Content-Type ${JSON.stringify(contentType ?? '')}: expected application/json or text/csv`,
    });
  }

  @Get()
  @Roles('admin', 'viewer')
  @ApiQuery({ name: 'region', required: true, example: 'DE' })
  @ApiQuery({ name: 'from', required: true, example: '2026-11-20T00:00:00Z' })
  @ApiQuery({ name: 'to', required: true, example: '2026-11-21T00:00:00Z' })
  @ApiQuery({ name: 'kind', required: false, enum: ['actual', 'forecast'] })
  @ApiOkResponse({ description: 'The periods of the region overlapping [from, to)', schema: apiSchema(IntensitySeriesResponse) })
  series(@Query(new ZodValidationPipe(IntensityQuery)) query: IntensityQuery): Promise<IntensitySeriesResponse> {
    return this.intensity.series(query);
  }
}
