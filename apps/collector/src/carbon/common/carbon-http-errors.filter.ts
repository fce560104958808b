import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { ImportFormatError, SiteExistsError, SiteNotFoundError } from './carbon.errors';

/** Turns the carbon domain's typed errors into HTTP answers that say what was wrong. */
@Catch(SiteNotFoundError, SiteExistsError, ImportFormatError)
export class CarbonHttpErrorsFilter implements ExceptionFilter {
  catch(error: SiteNotFoundError | SiteExistsError | ImportFormatError, host: ArgumentsHost): void {
    // express's response, typed by the two methods used: @types/express is not installed.
    const res = host.switchToHttp().getResponse<{ status(code: number): { json(body: unknown): void } }>();
    if (error instanceof SiteNotFoundError) {
      res.status(404).json({ error: 'not_found', message: error.message });
    } else if (error instanceof SiteExistsError) {
      res.status(409).json({ error: 'conflict', message: error.message });
    } else {
      res.status(400).json({
        error: 'invalid_request',
        problems: [{ line: error.line, column: error.column, value: error.value, expected: error.expected }],
        message: error.message,
      });
    }
  }
}
