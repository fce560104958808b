export type ProviderFailure = 'auth' | 'http' | 'malformed' | 'network';

/** A provider request that gave nothing usable; nothing of it is stored. Never carries a secret. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly failure: ProviderFailure,
    message: string,
    readonly status?: number,
  ) {
    super(`${provider}: ${message}`);
    this.name = 'ProviderError';
  }
}
