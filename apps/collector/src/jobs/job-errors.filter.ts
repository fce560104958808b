import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { InvalidCursorError } from './job-cursor';
import { JobNotFoundError } from './job.errors';

@Catch(JobNotFoundError, InvalidCursorError)
export class JobErrorsFilter implements ExceptionFilter<JobNotFoundError | InvalidCursorError> {
  catch(error: JobNotFoundError | InvalidCursorError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<{ status(n: number): { json(b: unknown): void } }>();
    if (error instanceof InvalidCursorError) {
      const shown = error.cursor.length > 40 ? `${error.cursor.slice(0, 37)}...` : error.cursor;
      response
        .status(400)
        .json({ statusCode: 400, error: 'invalid_request', problems: [{ path: 'cursor', message: `${error.message}; got "${shown}"` }] });
      return;
    }
    response.status(404).json({ statusCode: 404, error: 'not_found', message: error.message });
  }
}
