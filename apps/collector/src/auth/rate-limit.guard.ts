import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { bearerSecret } from './auth.guard';

/**
 * Rate limiting per token, or per client IP for calls without one. The tracker is a hash of the
 * secret, so the throttler's storage never holds a usable credential.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async getTracker(req: { headers?: Record<string, string | string[] | undefined>; ip?: string; socket?: { remoteAddress?: string } }): Promise<string> {
    const secret = bearerSecret(req.headers?.authorization);
    if (secret !== undefined) return `token:${createHash('sha256').update(secret).digest('hex')}`;
    return `ip:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
  }
}
