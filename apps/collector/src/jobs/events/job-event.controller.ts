import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../auth/auth.decorators';
import { apiSchema } from '../../common/api-schema';
import { ZodValidationPipe } from '../../common/zod-validation.pipe';
import { JobEventAnswerSchema, JobEventBody } from './job-event.schemas';
import { JobEventService } from './job-event.service';

@ApiTags('jobs')
@ApiBearerAuth()
@Controller('api/v1/job-events')
export class JobEventController {
  constructor(private readonly events: JobEventService) {}

  @Post()
  @HttpCode(200)
  @Roles('admin', 'scheduler')
  @ApiBody({ schema: apiSchema(JobEventBody) })
  @ApiOkResponse({
    description: 'Applied, or seen before. What a scheduler says outranks what agents infer, field by field.',
    schema: apiSchema(JobEventAnswerSchema),
  })
  publish(@Body(new ZodValidationPipe(JobEventBody)) body: JobEventBody): Promise<{ applied: boolean }> {
    return this.events.fromScheduler(body);
  }
}
