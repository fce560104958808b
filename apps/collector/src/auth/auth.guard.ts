import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_KEY, type Principal, ROLES_KEY, type Role } from './auth.decorators';
import { TokenService } from './token.service';

export interface AuthRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
  /** The bearer token's principal once resolved (null: unknown or revoked), so it is looked up once a request. */
  resolvedPrincipal?: Principal | null;
}

/** The principal of the request's bearer token, looked up once and kept on the request; null when unknown. */
export async function resolvePrincipal(request: AuthRequest, tokens: TokenService): Promise<Principal | null> {
  if (request.resolvedPrincipal !== undefined) return request.resolvedPrincipal;
  const secret = bearerSecret(request.headers.authorization);
  request.resolvedPrincipal = secret === undefined ? null : await tokens.authenticate(secret);
  return request.resolvedPrincipal;
}

/** The secret of an `Authorization: Bearer <secret>` header, or undefined. */
export function bearerSecret(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * The global guard: resolves the Principal of every request and enforces @Public() and @Roles().
 * 401 = we do not know who you are; 403 = we do, and your role may not do this.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthRequest>();
    const secret = bearerSecret(request.headers.authorization);
    if (secret === undefined) {
      throw new UnauthorizedException({
        statusCode: 401,
        error: 'unauthorized',
        message: 'missing bearer token: send the header "Authorization: Bearer <token>"',
      });
    }
    const principal = await resolvePrincipal(request, this.tokens);
    if (principal === null) {
      throw new UnauthorizedException({ statusCode: 401, error: 'unauthorized', message: 'unknown or revoked token' });
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles !== undefined && !roles.includes(principal.role)) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'forbidden',
        message: `this route needs the role ${roles.join(' or ')}; your token has the role ${principal.role}`,
      });
    }
    request.principal = principal;
    return true;
  }
}
