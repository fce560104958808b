/** Raised when a condition did not come true in time; carries the last value or error seen, to say why. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly last: string,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last seen: ${last})` : ''}`);
    this.name = 'WaitTimeoutError';
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Pause between two checks. */
  everyMs?: number;
  /** What to show of the last check's value when timing out. */
  describe?: (value: unknown) => string;
}

/**
 * Polls `check` until it returns something other than undefined or false. Tests wait on conditions
 * (a queue drained, a total stable), never on fixed sleeps, so a slow machine only makes them slower.
 */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 30_000, everyMs = 100, describe = (v) => JSON.stringify(v) ?? String(v) } = options;
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = describe(value);
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new WaitTimeoutError(what, timeoutMs, last.slice(0, 500));
    await sleep(everyMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
