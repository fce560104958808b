/**
 * Reads environment variables into typed values, collecting every problem so a bad deployment
 * fails at start with the names of all the bad variables at once, not one per restart.
 */
export interface EnvProblem {
  variable: string;
  value: string;
  expected: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: EnvProblem[]) {
    super(
      `invalid configuration:\n${problems.map((p) => `  ${p.variable}=${JSON.stringify(p.value)}: expected ${p.expected}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export class EnvParser {
  readonly problems: EnvProblem[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  string(variable: string, fallback: string): string;
  string(variable: string): string | undefined;
  string(variable: string, fallback?: string): string | undefined {
    const value = this.env[variable];
    return value === undefined || value === '' ? fallback : value;
  }

  int(variable: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const raw = this.string(variable);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push({ variable, value: raw, expected: `an integer from ${min} to ${max}` });
      return fallback;
    }
    return value;
  }

  oneOf<T extends string>(variable: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(variable);
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      this.problems.push({ variable, value: raw, expected: `one of ${allowed.join(', ')}` });
      return fallback;
    }
    return raw as T;
  }

  /** An ISO 8601 date-time (or date), as epoch milliseconds. */
  time(variable: string, fallback: number): number {
    const raw = this.string(variable);
    if (raw === undefined) return fallback;
    const value = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(value)) {
      this.problems.push({ variable, value: raw, expected: 'an ISO 8601 date or date-time, e.g. 2000-01-01T00:00:00Z' });
      return fallback;
    }
    return value;
  }

  url(variable: string, protocols: string[], fallback: string): string;
  url(variable: string, protocols: string[]): string | undefined;
  url(variable: string, protocols: string[], fallback?: string): string | undefined {
    const raw = this.string(variable);
    if (raw === undefined) return fallback;
    try {
      const parsed = new URL(raw);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return raw;
    } catch {
      this.problems.push({ variable, value: raw, expected: `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}` });
      return fallback;
    }
  }

  /** Throws a ConfigError naming every bad variable seen so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}
