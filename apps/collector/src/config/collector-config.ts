import { join } from 'node:path';
import { EnvParser } from './env-parser';

export type CollectorRole = 'api' | 'worker' | 'all';

export interface CollectorConfig {
  /** HTTP port of the API (`PORT`, 8080). */
  port: number;
  /** `DATABASE_URL`: `postgres://…`, or an SQLite file; unset = `./.wattprint/wattprint.db`. */
  databaseUrl: string;
  /** `REDIS_URL` (`redis://127.0.0.1:6379`). */
  redisUrl: string;
  /** `WATTPRINT_BOOTSTRAP_TOKEN`: accepted as an admin token until another admin token exists. */
  bootstrapToken: string | undefined;
  /** `WATTPRINT_ROLE`: `api` serves HTTP only, `worker` ingests only, `all` does both (default). */
  role: CollectorRole;
  /** `WATTPRINT_WORKER_CONCURRENCY` (64): batches taken from the queue at once; they share group commits. */
  workerConcurrency: number;
  /** `WATTPRINT_GROUP_COMMIT_MS` (5): how long the first batch of a group waits for others to join it. */
  groupCommitMs: number;
  /** `WATTPRINT_GROUP_COMMIT_MAX` (256): a group commits at once when it holds this many batches. */
  groupCommitMaxBatches: number;
  /** `WATTPRINT_RATE_LIMIT_PER_MINUTE` (600): API requests per client per minute. */
  rateLimitPerMinute: number;
}

export function defaultSqliteUrl(cwd = process.cwd()): string {
  return `sqlite:${join(cwd, '.wattprint', 'wattprint.db')}`;
}

/** Parses the environment once at start; throws a ConfigError naming every bad variable. */
export function parseCollectorConfig(env: NodeJS.ProcessEnv = process.env): CollectorConfig {
  const e = new EnvParser(env);
  const databaseUrl = e.string('DATABASE_URL') ?? defaultSqliteUrl();
  if (/^[a-z]+:\/\//.test(databaseUrl) && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    e.problems.push({ variable: 'DATABASE_URL', value: databaseUrl, expected: 'postgres://… or an SQLite file path' });
  }
  const config: CollectorConfig = {
    port: e.int('PORT', 8080, { min: 0, max: 65535 }),
    databaseUrl,
    redisUrl: e.url('REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
    bootstrapToken: e.string('WATTPRINT_BOOTSTRAP_TOKEN'),
    role: e.oneOf('WATTPRINT_ROLE', ['api', 'worker', 'all'] as const, 'all'),
    workerConcurrency: e.int('WATTPRINT_WORKER_CONCURRENCY', 64, { min: 1, max: 10_000 }),
    groupCommitMs: e.int('WATTPRINT_GROUP_COMMIT_MS', 5, { min: 0, max: 10_000 }),
    groupCommitMaxBatches: e.int('WATTPRINT_GROUP_COMMIT_MAX', 256, { min: 1, max: 100_000 }),
    rateLimitPerMinute: e.int('WATTPRINT_RATE_LIMIT_PER_MINUTE', 600, { min: 1 }),
  };
  if (config.bootstrapToken !== undefined && config.bootstrapToken.length < 16) {
    e.problems.push({ variable: 'WATTPRINT_BOOTSTRAP_TOKEN', value: '(hidden)', expected: 'at least 16 characters' });
  }
  e.done();
  return config;
}
