import { createHash } from 'node:crypto';
import { type ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { PUBLIC_KEY } from './auth.decorators';
import { bearerSecret } from './auth.guard';

interface TrackedRequest {
  headers?: Record<string, string | string[] | undefined>;
  ip?: string;
  socket?: { remoteAddress?: string };
}

/**
 * Rate limiting per token, or per client IP for calls without one. The tracker is a hash of the
 * secret, so the throttler's storage never holds a usable credential.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: TrackedRequest): Promise<string> {
    const secret = bearerSecret(req.headers?.authorization);
    if (secret !== undefined) return `token:${createHash('sha256').update(secret).digest('hex')}`;
    return `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
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
