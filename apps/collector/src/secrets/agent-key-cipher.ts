import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** How a sealed key starts; a key stored in clear is 64 hex digits and never does. */
const SEALED_PREFIX = 'enc:v1:';

export class AgentKeyCipherError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentKeyCipherError';
  }
}

/**
 * Agents' HMAC keys at rest. The collector must read a key in clear to verify a batch, so it cannot
 * store a hash as it does for bearer tokens; with `WATTPRINT_SECRET_KEY` set it stores the key sealed
 * with AES-256-GCM instead (`enc:v1:<iv>:<tag>:<ciphertext>`, base64url), and a copy of the
 * database alone no longer lets anyone forge a batch. Without it keys are stored in clear, as before.
 */
export class AgentKeyCipher {
  constructor(private readonly secret: Buffer | undefined) {}

  get sealing(): boolean {
    return this.secret !== undefined;
  }

  static isSealed(stored: string): boolean {
    return stored.startsWith(SEALED_PREFIX);
  }

  /** The form to store: sealed when a secret is configured, else the key itself. */
  seal(key: string): string {
    if (this.secret === undefined) return key;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.secret, iv);
    const body = Buffer.concat([cipher.update(key, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${body.toString('base64url')}`;
  }

  /** The key in clear from its stored form; throws when it is sealed and cannot be opened. */
  open(stored: string): string {
    if (!AgentKeyCipher.isSealed(stored)) return stored;
    if (this.secret === undefined) {
      throw new AgentKeyCipherError(
        'an agent key is stored sealed, but WATTPRINT_SECRET_KEY is not set: give the collector the key it was sealed with',
      );
    }
    const [iv, tag, body] = stored.slice(SEALED_PREFIX.length).split(':');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.secret, Buffer.from(iv ?? '', 'base64url'));
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body ?? '', 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new AgentKeyCipherError('an agent key does not open with WATTPRINT_SECRET_KEY: it was sealed with another key, or altered');
    }
  }
}
