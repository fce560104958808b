import { createHash } from 'node:crypto';
import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { PUBLIC_KEY } from './auth.decorators';
import { type AuthRequest, bearerSecret, resolvePrincipal } from './auth.guard';
import { TokenService } from './token.service';

interface TrackedRequest extends AuthRequest {
  ip?: string;
  socket?: { remoteAddress?: string };
}

/**
 * Rate limiting per token for known tokens, per client IP for everything else: calls without a
 * token and calls with a token that is unknown or revoked. A client guessing tokens thus spends its
 * address's allowance, not a fresh one per guess. One allowance per client across every route, not
 * one per route. The tracker of a token is a hash of its secret, so the counts in Redis never hold a
 * usable credential.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly tokens: TokenService,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(req: TrackedRequest): Promise<string> {
    const secret = bearerSecret(req.headers?.authorization);
    if (secret !== undefined && (await resolvePrincipal(req, this.tokens)) !== null) {
      return `token:${createHash('sha256').update(secret).digest('hex')}`;
    }
    return `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  /**
   * Public routes (/health, /ready, /metrics, docs) are not limited: probes and scrapers arrive
   * without a token, often through one shared address, and a throttled liveness probe would get a
   * healthy collector restarted.
   */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true;
  }
}
