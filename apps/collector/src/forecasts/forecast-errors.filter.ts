import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { SpecError } from '@wattprint/estimation';
import { ForecastNotFoundError } from './forecast.errors';

/** A spec the model cannot use is a 400 naming each bad path; an unknown id a 404. */
@Catch(SpecError, ForecastNotFoundError)
export class ForecastErrorsFilter implements ExceptionFilter<SpecError | ForecastNotFoundError> {
  catch(error: SpecError | ForecastNotFoundError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(n: number): { json(b: unknown): void } }>();
    if (error instanceof SpecError) {
      response.status(400).json({ statusCode: 400, error: 'invalid_request', problems: error.problems });
      return;
    }
    response.status(404).json({ statusCode: 404, error: 'not_found', message: error.message });
  }
}
