import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal, Roles } from '../auth/auth.decorators';
import { apiSchema } from '../common/api-schema';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AdmissionService, type AdmissionAnswer } from './admission.service';
import { BudgetErrorsFilter } from './budget-errors.filter';
import { AdmissionBody } from './budget.schemas';

@ApiTags('budgets')
@ApiBearerAuth()
@Roles('admin', 'scheduler', 'viewer')
@UseFilters(BudgetErrorsFilter)
@Controller('api/v1/admission')
export class AdmissionController {
  constructor(private readonly admission: AdmissionService) {}

  /** Schedulers (job_submit.lua), admins, and a team's own viewers (`wattprint run --budget-check`). */
  @Post()
  @HttpCode(200)
  @ApiBody({ schema: apiSchema(AdmissionBody) })
  @ApiOkResponse({ description: 'allow, warn or refuse, one line for people, and the figures of each budget of the team' })
  admit(
    @Body(new ZodValidationPipe(AdmissionBody)) body: AdmissionBody,
    @CurrentPrincipal() principal: Principal,
  ): Promise<AdmissionAnswer> {
    return this.admission.admit(body, principal);
  }
}
