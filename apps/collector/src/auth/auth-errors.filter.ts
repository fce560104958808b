import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { AgentExistsError, AgentNotFoundError, UnknownReferenceError, TokenNotFoundError } from './auth.errors';

type AuthDomainError = TokenNotFoundError | AgentNotFoundError | AgentExistsError | UnknownReferenceError;

/** Turns the typed errors of tokens and agents into JSON answers with the status they mean. */
@Catch(TokenNotFoundError, AgentNotFoundError, AgentExistsError, UnknownReferenceError)
export class AuthErrorsFilter implements ExceptionFilter<AuthDomainError> {
  catch(error: AuthDomainError, host: ArgumentsHost): void {
    const [status, code] =
      error instanceof AgentExistsError
        ? [409, 'conflict']
        : error instanceof UnknownReferenceError
          ? [400, 'invalid_request']
          : [404, 'not_found'];
    const body =
      error instanceof UnknownReferenceError
        ? { statusCode: status, error: code, problems: [{ path: error.field, message: error.message }] }
        : { statusCode: status, error: code, message: error.message };
    host.switchToHttp().getResponse<{ status(n: number): { json(b: unknown): void } }>().status(status).json(body);
  }
}
