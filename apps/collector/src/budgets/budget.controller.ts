import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, UseFilters } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, type Principal, Roles } from '../auth/auth.decorators';
import { apiSchema } from '../common/api-schema';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { BudgetErrorsFilter } from './budget-errors.filter';
import { BudgetBody, BudgetIdParam, BudgetViewSchema, type BudgetStatus, type BudgetView } from './budget.schemas';
import { BudgetService } from './budget.service';

const ListQuery = z.strictObject({ status: z.enum(['true', 'false'], { error: 'expected true or false' }).default('true') });

@ApiTags('budgets')
@ApiBearerAuth()
@Roles('admin', 'viewer')
@UseFilters(BudgetErrorsFilter)
@Controller('api/v1/budgets')
export class BudgetController {
  constructor(private readonly budgets: BudgetService) {}

  @Post()
  @Roles('admin')
  @ApiBody({ schema: apiSchema(BudgetBody) })
  @ApiCreatedResponse({ description: 'The budget, with its status now', schema: apiSchema(BudgetViewSchema) })
  create(@Body(new ZodValidationPipe(BudgetBody)) body: BudgetBody): Promise<BudgetView> {
    return this.budgets.create(body);
  }

  @Get()
  @ApiQuery({ name: 'status', required: false, description: 'false: without the status figures (cheaper)' })
  @ApiOkResponse({
    description: "Every budget (a team viewer: its team's), with status",
    schema: apiSchema(z.object({ budgets: z.array(BudgetViewSchema) })),
  })
  async list(@Query(new ZodValidationPipe(ListQuery)) q: z.output<typeof ListQuery>, @CurrentPrincipal() principal: Principal) {
    return { budgets: await this.budgets.list(principal, q.status === 'true') };
  }

  @Get(':id')
  @ApiOkResponse({ description: 'One budget with its status', schema: apiSchema(BudgetViewSchema) })
  @ApiNotFoundResponse({ description: 'No such budget, or another team’s' })
  get(@Param('id', new ZodValidationPipe(BudgetIdParam)) id: string, @CurrentPrincipal() principal: Principal): Promise<BudgetView> {
    return this.budgets.get(id, principal);
  }

  @Get(':id/status')
  @ApiOkResponse({
    description: 'Spent, remaining, burn rate and projected spend in the current period',
    schema: apiSchema(BudgetViewSchema.shape.status.unwrap()),
  })
  @ApiNotFoundResponse({ description: 'No such budget, or another team’s' })
  status(@Param('id', new ZodValidationPipe(BudgetIdParam)) id: string, @CurrentPrincipal() principal: Principal): Promise<BudgetStatus> {
    return this.budgets.status(id, principal);
  }

  @Put(':id')
  @Roles('admin')
  @ApiBody({ schema: apiSchema(BudgetBody) })
  @ApiOkResponse({ description: 'The budget as replaced', schema: apiSchema(BudgetViewSchema) })
  replace(
    @Param('id', new ZodValidationPipe(BudgetIdParam)) id: string,
    @Body(new ZodValidationPipe(BudgetBody)) body: BudgetBody,
  ): Promise<BudgetView> {
    return this.budgets.replace(id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted, with its alerts' })
  async delete(@Param('id', new ZodValidationPipe(BudgetIdParam)) id: string): Promise<void> {
    await this.budgets.delete(id);
  }
}
