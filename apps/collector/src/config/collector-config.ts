import { join } from 'node:path';
import { QUEUE_PREFIX, QUEUE_PREFIX_RULE } from '@wattprint/protocol';
import { LOG_LEVELS, type LogLevel, envEnum, envInt, envText, envUrl, parseEnv } from '@wattprint/runtime';
import { z } from 'zod';
import { CARBON_ENV, CARBON_SECRETS, CHECK_ALWAYS, type CarbonConfig, carbonConfigOf, checkCarbonPairs } from '../carbon/carbon-config';

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
  /** `WATTPRINT_WORKER_CONCURRENCY` (512): batches taken from the queue at once; they share group commits, so more make bigger groups. */
  workerConcurrency: number;
  /**
   * `WATTPRINT_GROUP_COMMIT_MS` (50): how long the first batch of a group waits for others to join
   * it. A commit costs a WAL flush and a round trip per statement whatever its size, so at a steady
   * trickle a longer wait makes fewer, fuller commits; 50 ms is nothing beside an agent's 5 s batches.
   */
  groupCommitMs: number;
  /** `WATTPRINT_GROUP_COMMIT_MAX` (512): a group commits at once when it holds this many batches. */
  groupCommitMaxBatches: number;
  /** `WATTPRINT_GROUP_COMMITS_IN_FLIGHT` (1): group commits that may run at once on PostgreSQL (SQLite: always 1). */
  groupCommitsInFlight: number;
  /** `WATTPRINT_RATE_LIMIT_PER_MINUTE` (600): API requests per client per minute. */
  rateLimitPerMinute: number;
  /** `WATTPRINT_QUEUE_PREFIX` (`{wattprint}`): BullMQ key prefix; keep a `{hash tag}` for Redis Cluster. Tests use a fresh one each. */
  queuePrefix: string;
  /** `WATTPRINT_DB_RETRY_MAX_MS` (5000): longest back-off between commit retries while the database is down. */
  dbRetryMaxMs: number;
  /** `WATTPRINT_AGENT_KEY_TTL_MS` (10000): how long an agent's HMAC key is cached before it is read again. */
  agentKeyTtlMs: number;
  /** `WATTPRINT_SQLITE_BUSY_TIMEOUT_MS` (10000): how long an SQLite write waits for another process's lock. */
  sqliteBusyTimeoutMs: number;
  /** `WATTPRINT_LOG_LEVEL` (info): trace, debug, info, warn, error, fatal or silent. */
  logLevel: LogLevel;
  /** The intensity providers and their polling (the `WATTPRINT_ELECTRICITYMAPS_*`, `_WATTTIME_*`, `_UKCI_*` and `_INTENSITY_*` variables). */
  carbon: CarbonConfig;
}

export function defaultSqliteUrl(cwd = process.cwd()): string {
  return `sqlite:${join(cwd, '.wattprint', 'wattprint.db')}`;
}

/** The collector's variables, one table: the keys are the names, the schemas say what each takes. */
const CollectorEnv = z
  .object({
    PORT: envInt(0, 65535).default(8080),
    DATABASE_URL: z
      .string()
      .refine((url) => !/^[a-z]+:\/\//.test(url) || /^postgres(ql)?:\/\//.test(url), 'postgres://… or an SQLite file path')
      .optional(),
    REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    WATTPRINT_BOOTSTRAP_TOKEN: envText(4096, 16).optional(),
    WATTPRINT_ROLE: envEnum(['api', 'worker', 'all']).default('all'),
    WATTPRINT_WORKER_CONCURRENCY: envInt(1, 10_000).default(512),
    WATTPRINT_GROUP_COMMIT_MS: envInt(0, 10_000).default(50),
    WATTPRINT_GROUP_COMMIT_MAX: envInt(1, 100_000).default(512),
    WATTPRINT_GROUP_COMMITS_IN_FLIGHT: envInt(1, 64).default(1),
    WATTPRINT_RATE_LIMIT_PER_MINUTE: envInt(1).default(600),
    WATTPRINT_QUEUE_PREFIX: z.string().regex(QUEUE_PREFIX_RULE.pattern, QUEUE_PREFIX_RULE.expected).default(QUEUE_PREFIX),
    WATTPRINT_DB_RETRY_MAX_MS: envInt(10, 600_000).default(5000),
    WATTPRINT_AGENT_KEY_TTL_MS: envInt(0, 3_600_000).default(10_000),
    WATTPRINT_SQLITE_BUSY_TIMEOUT_MS: envInt(0, 600_000).default(10_000),
    WATTPRINT_LOG_LEVEL: envEnum(LOG_LEVELS).default('info'),
    ...CARBON_ENV,
  })
  .superRefine(checkCarbonPairs, CHECK_ALWAYS);

/** Variables never printed, and URLs printed without their password. */
const SECRETS = { hidden: ['WATTPRINT_BOOTSTRAP_TOKEN', ...CARBON_SECRETS], urls: ['DATABASE_URL', 'REDIS_URL'] };

/**
 * Parses the environment once at start: nothing else in the collector reads process.env. Throws a
 * ConfigError naming every bad variable, with its value and what was expected (secrets hidden).
 */
export function parseCollectorConfig(env: Record<string, string | undefined> = process.env): CollectorConfig {
  const c = parseEnv(CollectorEnv, env, SECRETS);
  return {
    port: c.PORT,
    databaseUrl: c.DATABASE_URL ?? defaultSqliteUrl(),
    redisUrl: c.REDIS_URL,
    bootstrapToken: c.WATTPRINT_BOOTSTRAP_TOKEN,
    role: c.WATTPRINT_ROLE,
    workerConcurrency: c.WATTPRINT_WORKER_CONCURRENCY,
    groupCommitMs: c.WATTPRINT_GROUP_COMMIT_MS,
    groupCommitMaxBatches: c.WATTPRINT_GROUP_COMMIT_MAX,
    groupCommitsInFlight: c.WATTPRINT_GROUP_COMMITS_IN_FLIGHT,
    rateLimitPerMinute: c.WATTPRINT_RATE_LIMIT_PER_MINUTE,
    queuePrefix: c.WATTPRINT_QUEUE_PREFIX,
    dbRetryMaxMs: c.WATTPRINT_DB_RETRY_MAX_MS,
    agentKeyTtlMs: c.WATTPRINT_AGENT_KEY_TTL_MS,
    sqliteBusyTimeoutMs: c.WATTPRINT_SQLITE_BUSY_TIMEOUT_MS,
    logLevel: c.WATTPRINT_LOG_LEVEL,
    carbon: carbonConfigOf(c),
  };
}
