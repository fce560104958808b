import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { SpecError } from '@wattprint/estimation';
import { BudgetNotFoundError } from './budget.errors';

/** An unknown budget is a 404; a run spec the model cannot use (admission) a 400 naming each bad path. */
@Catch(BudgetNotFoundError, SpecError)
export class BudgetErrorsFilter implements ExceptionFilter<BudgetNotFoundError | SpecError> {
  catch(error: BudgetNotFoundError | SpecError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(n: number): { json(b: unknown): void } }>();
    if (error instanceof SpecError) {
      response.status(400).json({ statusCode: 400, error: 'invalid_request', problems: error.under('spec').problems });
      return;
    }
    response.status(404).json({ statusCode: 404, error: 'not_found', message: error.message });
  }
}
