import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { SpecError } from '@wattprint/estimation';
import { SearchExistsError, SearchNotFoundError } from './search.errors';

type Handled = SpecError | SearchNotFoundError | SearchExistsError;

/** A spec the model cannot use is a 400 naming each bad path; an unknown id a 404; a taken id a 409. */
@Catch(SpecError, SearchNotFoundError, SearchExistsError)
export class SearchErrorsFilter implements ExceptionFilter<Handled> {
  catch(error: Handled, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(n: number): { json(b: unknown): void } }>();
    if (error instanceof SpecError) {
      response.status(400).json({ statusCode: 400, error: 'invalid_request', problems: error.problems });
    } else if (error instanceof SearchExistsError) {
      response.status(409).json({ statusCode: 409, error: 'conflict', message: error.message });
    } else {
      response.status(404).json({ statusCode: 404, error: 'not_found', message: error.message });
    }
  }
}
