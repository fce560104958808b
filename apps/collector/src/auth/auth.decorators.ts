import { type ExecutionContext, SetMetadata, createParamDecorator } from '@nestjs/common';

/** admin: everything; viewer: reads (one team or all); agent: its own agent's calls; scheduler: publishes job events. */
export type Role = 'admin' | 'viewer' | 'agent' | 'scheduler';

/** Who is calling, as resolved from the bearer token by the auth guard. */
export interface Principal {
  tokenId: string;
  role: Role;
  /** A viewer's team scope; null = every team. */
  team: string | null;
  /** An agent token's agent id. */
  agentId: string | null;
}

export const ROLES_KEY = 'wattprint:roles';
export const PUBLIC_KEY = 'wattprint:public';

/** The roles allowed on a route or controller. Routes without it need any valid token. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** A route anyone may call without a token (health, readiness, metrics, docs). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The calling Principal, set on the request by the auth guard. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest<{ principal: Principal }>().principal,
);
