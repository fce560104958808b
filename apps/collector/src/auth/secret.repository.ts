import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';

/**
 * Every use of randomness and hashing for credentials, in one place so services stay pure and
 * reviewers find the whole secret-handling surface in one file.
 */
@Injectable()
export class SecretRepository {
  /** A bearer token secret: `wp_` + 256 random bits, URL safe, so it survives shells and headers. */
  newTokenSecret(): string {
    return `wp_${randomBytes(32).toString('base64url')}`;
  }

  /** An agent's HMAC key: 256 random bits as hex, what `sign()` of libs/protocol takes. */
  newAgentKey(): string {
    return randomBytes(32).toString('hex');
  }

  newId(prefix: string): string {
    return `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  }

  /** sha256 hex: what the database holds instead of the secret. */
  hash(secret: string): string {
    return createHash('sha256').update(secret, 'utf8').digest('hex');
  }

  /** Constant-time comparison, so the bootstrap token cannot be guessed byte by byte from timings. */
  sameSecret(given: string, expected: string): boolean {
    const a = createHash('sha256').update(given).digest();
    const b = createHash('sha256').update(expected).digest();
    return timingSafeEqual(a, b);
  }
}
