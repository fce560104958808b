import { join } from 'node:path';
import { MAX_QUEUE_SHARDS, QUEUE_PREFIX, QUEUE_PREFIX_RULE } from '@wattprint/protocol';
import { ConfigError, LOG_LEVELS, type LogLevel, envBoolean, envEnum, envInt, envText, envUrl, parseEnv } from '@wattprint/runtime';
import { z } from 'zod';
import { DAY_MS } from '@wattprint/carbon';
import { DEFAULT_SAMPLE_BOUNDS, type SampleBounds } from '../ingest/sample-bounds';
import { CARBON_ENV, CARBON_SECRETS, CHECK_ALWAYS, type CarbonConfig, carbonConfigOf, checkCarbonPairs } from '../carbon/carbon-config';

export type CollectorRole = 'api' | 'worker' | 'all';

export interface CollectorConfig {
  /** HTTP port of the API (`PORT`, 8080). */
  port: number;
  /** `DATABASE_URL`: `postgres://…`, or an SQLite file; unset = `./.wattprint/wattprint.db`. */
  databaseUrl: string;
  /** `REDIS_URL` (`redis://127.0.0.1:6379`). */
  redisUrl: string;
  /** `WATTPRINT_BOOTSTRAP_TOKEN`: accepted as an admin token until the first admin token is created, then never again. */
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
  /** `WATTPRINT_RATE_LIMIT_PER_MINUTE` (600): API requests a minute per known token, or per client address without one; counted in Redis. */
  rateLimitPerMinute: number;
  /** `WATTPRINT_QUEUE_PREFIX` (`{wattprint}`): BullMQ key prefix; keep a `{hash tag}` for Redis Cluster. Tests use a fresh one each. */
  queuePrefix: string;
  /** `WATTPRINT_DB_RETRY_MAX_MS` (5000): longest back-off between commit retries while the database is down. */
  dbRetryMaxMs: number;
  /** `WATTPRINT_AGENT_KEY_TTL_MS` (10000): how long an agent's HMAC key is cached before it is read again. */
  agentKeyTtlMs: number;
  /** `WATTPRINT_SQLITE_BUSY_TIMEOUT_MS` (10000): how long an SQLite write waits for another process's lock. */
  sqliteBusyTimeoutMs: number;
  /**
   * `WATTPRINT_READ_TIMEOUT_MS` (60000; 0 = none): PostgreSQL's `statement_timeout` for the queries of
   * GET requests; past it the request answers 504. Writes (ingest) are never subject to it.
   */
  readTimeoutMs: number;
  /** `WATTPRINT_LOG_LEVEL` (info): trace, debug, info, warn, error, fatal or silent. */
  logLevel: LogLevel;
  /** The intensity providers and their polling (the `WATTPRINT_ELECTRICITYMAPS_*`, `_WATTTIME_*`, `_UKCI_*` and `_INTENSITY_*` variables). */
  carbon: CarbonConfig;
  /**
   * What a sample may claim: `WATTPRINT_EARLIEST_TIME` (2000-01-01T00:00:00Z), `WATTPRINT_MAX_AHEAD_MS`
   * (3600000), `WATTPRINT_MAX_SAMPLE_SPAN_MS` (600000), `WATTPRINT_MAX_DEVICE_POWER_W` (5000). Outside:
   * dead letter `out-of-bounds`. The time window applies to job events too.
   */
  sampleBounds: SampleBounds;
  /**
   * `WATTPRINT_JOB_EVENT_WAIT_MS` (60000): how long an agent's end or metadata event for a job not yet
   * seen on its node waits for the job's start event or samples (several consumers may deliver them
   * out of order) before it is dead-lettered as `job-not-seen`.
   */
  jobEventWaitMs: number;
  /** `WATTPRINT_MAX_STALLS` (3): a message whose consumers died this many times while holding it is dead-lettered as `stalled`. */
  maxStalls: number;
  /**
   * `WATTPRINT_SECRET_KEY`: 32 bytes as 64 hex digits or base64. When given, agents' HMAC keys are
   * stored sealed with it (AES-256-GCM) and keys stored in clear are sealed at start.
   */
  secretKey: Buffer | undefined;
  /**
   * `WATTPRINT_READER_ROLE`: a PostgreSQL role (Grafana's) given SELECT on the tables without secrets
   * after every migration, and nothing else (see READER_TABLES in libs/db). Unset: no grants.
   */
  readerRole: string | undefined;
  /** `WATTPRINT_MINUTE_RETENTION_DAYS` (35; `forever` keeps them): minute buckets older than this are dropped, once their hours are folded. */
  minuteRetentionDays: number | undefined;
  /** `WATTPRINT_HOURLY_RETENTION_DAYS` (forever): hourly rollups older than this are deleted. */
  hourlyRetentionDays: number | undefined;
  /**
   * `WATTPRINT_BATCH_KEY_RETENTION_DAYS` (forever): ingested_batches rows whose samples ended more than
   * this (plus a day) ago are deleted, and batches with samples older than this are refused.
   */
  batchKeyRetentionDays: number | undefined;
  /** `WATTPRINT_ROLLUP_LAG_MS` (600000): an hour is folded once it closed this long ago; later batches of it are added to the fold at ingest. */
  rollupLagMs: number;
  /** `WATTPRINT_MAINTENANCE_EVERY_MS` (60000; 0 = never): how often a worker folds hours, creates partitions ahead and applies retention. */
  maintenanceEveryMs: number;
  /** `WATTPRINT_BODY_LIMIT_BYTES` (1048576): the largest JSON body of an API request; larger: 413. */
  bodyLimitBytes: number;
  /** `WATTPRINT_IMPORT_LIMIT_BYTES` (67108864): the largest intensity import; larger: 413. */
  importLimitBytes: number;
  /** `WATTPRINT_CALIBRATION_EVERY_MS` (3600000; 0 = never): how often an API process refits the calibration from the ledger. */
  calibrationEveryMs: number;
  /** `WATTPRINT_BUDGET_EVERY_MS` (60000; 0 = never): how often an API process evaluates budgets (alerts, gauges). */
  budgetEveryMs: number;
  /** `WATTPRINT_WEBHOOK_URL` and `WATTPRINT_WEBHOOK_SECRET` (at least 16 characters): where budget alerts are POSTed, signed; unset: recorded only. */
  webhook: { url: string; secret: string } | undefined;
  /** `WATTPRINT_WEBHOOK_TIMEOUT_MS` (5000): how long one delivery may take. */
  webhookTimeoutMs: number;
  /** `WATTPRINT_WEBHOOK_POLL_MS` (2000): how often the outbox is looked at for due deliveries. */
  webhookPollMs: number;
  /** `WATTPRINT_WEBHOOK_RETRY_MIN_MS` (1000) and `_MAX_MS` (300000): back-off after a failed delivery, doubling from min up to max. */
  webhookRetryMinMs: number;
  webhookRetryMaxMs: number;
  /**
   * `WATTPRINT_QUEUE_SHARDS` (1): shards of the samples queue this collector consumes (0..K-1), a
   * BullMQ worker each. While K changes, set it to max(K_old, K_new) (docs/deploy.md, "Queue shards").
   */
  queueShards: number;
  /** `WATTPRINT_REDIS_CLUSTER` (false): REDIS_URL names a node of a Redis Cluster; ioredis' Cluster client is used. */
  redisCluster: boolean;
}

/** 32 bytes from 64 hex digits or base64. */
const SecretKey = z.string().transform((text, ctx) => {
  const bytes = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text, 'base64')
      : undefined;
  if (bytes?.length === 32) return bytes;
  ctx.addIssue({ code: 'custom', message: '32 bytes as 64 hex digits or as base64 (openssl rand -hex 32)' });
  return z.NEVER;
});

/** A whole number of days, or `forever` (undefined). */
function envDaysOrForever() {
  const expected = 'a whole number of days from 1 to 36500, or forever';
  // `forever` is null, not undefined: zod's .default() also replaces an undefined *output*, which once
  // turned `forever` into the 35-day default
  return z
    .string({ error: expected })
    .trim()
    .refine((raw) => raw === 'forever' || (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 36_500), expected)
    .transform((raw) => (raw === 'forever' ? null : Number(raw)));
}

/** An ISO 8601 date or date-time, as epoch milliseconds. */
const EnvTime = z
  .string()
  .refine(
    (raw) => /^\d{4}-\d{2}-\d{2}/.test(raw) && !Number.isNaN(Date.parse(raw)),
    'an ISO 8601 date or date-time, e.g. 2000-01-01T00:00:00Z',
  )
  .transform((raw) => Date.parse(raw));

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
    WATTPRINT_READ_TIMEOUT_MS: envInt(0, 86_400_000).default(60_000),
    WATTPRINT_LOG_LEVEL: envEnum(LOG_LEVELS).default('info'),
    WATTPRINT_EARLIEST_TIME: EnvTime.optional(),
    WATTPRINT_MAX_AHEAD_MS: envInt(0, 366 * 86_400_000).default(DEFAULT_SAMPLE_BOUNDS.maxAheadMs),
    WATTPRINT_MAX_SAMPLE_SPAN_MS: envInt(1, 86_400_000).default(DEFAULT_SAMPLE_BOUNDS.maxSpanMs),
    WATTPRINT_MAX_DEVICE_POWER_W: envInt(1, 1_000_000).default(DEFAULT_SAMPLE_BOUNDS.maxPowerW),
    WATTPRINT_MAX_STALLS: envInt(1, 1000).default(3),
    WATTPRINT_JOB_EVENT_WAIT_MS: envInt(0, 86_400_000).default(60_000),
    WATTPRINT_SECRET_KEY: SecretKey.optional(),
    WATTPRINT_READER_ROLE: envText(63).optional(),
    WATTPRINT_MINUTE_RETENTION_DAYS: envDaysOrForever().default(35),
    WATTPRINT_HOURLY_RETENTION_DAYS: envDaysOrForever().optional(),
    WATTPRINT_BATCH_KEY_RETENTION_DAYS: envDaysOrForever().optional(),
    WATTPRINT_ROLLUP_LAG_MS: envInt(0, 366 * 86_400_000).default(600_000),
    WATTPRINT_MAINTENANCE_EVERY_MS: envInt(0, 86_400_000).default(60_000),
    WATTPRINT_BODY_LIMIT_BYTES: envInt(1024, 1_073_741_824).default(1_048_576),
    WATTPRINT_IMPORT_LIMIT_BYTES: envInt(1024, 17_179_869_184).default(67_108_864),
    WATTPRINT_QUEUE_SHARDS: envInt(1, MAX_QUEUE_SHARDS).default(1),
    WATTPRINT_REDIS_CLUSTER: envBoolean().default(false),
    ...CARBON_ENV,
    WATTPRINT_CALIBRATION_EVERY_MS: envInt(0, 7 * 86_400_000).default(3_600_000),
    WATTPRINT_BUDGET_EVERY_MS: envInt(0, 86_400_000).default(60_000),
    WATTPRINT_WEBHOOK_URL: envUrl(['http:', 'https:']).optional(),
    WATTPRINT_WEBHOOK_SECRET: envText(4096, 16).optional(),
    WATTPRINT_WEBHOOK_TIMEOUT_MS: envInt(100, 600_000).default(5000),
    WATTPRINT_WEBHOOK_POLL_MS: envInt(10, 3_600_000).default(2000),
    WATTPRINT_WEBHOOK_RETRY_MIN_MS: envInt(10, 3_600_000).default(1000),
    WATTPRINT_WEBHOOK_RETRY_MAX_MS: envInt(10, 86_400_000).default(300_000),
  })
  .superRefine(checkCarbonPairs, CHECK_ALWAYS);

/** Variables never printed, and URLs printed without their password. */
const SECRETS = {
  hidden: ['WATTPRINT_BOOTSTRAP_TOKEN', 'WATTPRINT_SECRET_KEY', 'WATTPRINT_WEBHOOK_SECRET', ...CARBON_SECRETS],
  urls: ['DATABASE_URL', 'REDIS_URL'],
};

/**
 * Parses the environment once at start: nothing else in the collector reads process.env. Throws a
 * ConfigError naming every bad variable, with its value and what was expected (secrets hidden).
 */
export function parseCollectorConfig(env: Record<string, string | undefined> = process.env): CollectorConfig {
  const c = parseEnv(CollectorEnv, env, SECRETS);
  if ((c.WATTPRINT_WEBHOOK_URL === undefined) !== (c.WATTPRINT_WEBHOOK_SECRET === undefined)) {
    const [given, missing] =
      c.WATTPRINT_WEBHOOK_URL === undefined
        ? ['WATTPRINT_WEBHOOK_SECRET', 'WATTPRINT_WEBHOOK_URL']
        : ['WATTPRINT_WEBHOOK_URL', 'WATTPRINT_WEBHOOK_SECRET'];
    throw new ConfigError([
      { variable: missing, shown: '(unset)', expected: `set together with ${given} (a webhook needs its URL and its signing secret)` },
    ]);
  }
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
    readTimeoutMs: c.WATTPRINT_READ_TIMEOUT_MS,
    logLevel: c.WATTPRINT_LOG_LEVEL,
    carbon: carbonConfigOf(c),
    sampleBounds: {
      earliestMs: c.WATTPRINT_EARLIEST_TIME ?? DEFAULT_SAMPLE_BOUNDS.earliestMs,
      maxAheadMs: c.WATTPRINT_MAX_AHEAD_MS,
      maxSpanMs: c.WATTPRINT_MAX_SAMPLE_SPAN_MS,
      maxPowerW: c.WATTPRINT_MAX_DEVICE_POWER_W,
      maxAgeMs: c.WATTPRINT_BATCH_KEY_RETENTION_DAYS == null ? undefined : c.WATTPRINT_BATCH_KEY_RETENTION_DAYS * DAY_MS,
    },
    maxStalls: c.WATTPRINT_MAX_STALLS,
    jobEventWaitMs: c.WATTPRINT_JOB_EVENT_WAIT_MS,
    secretKey: c.WATTPRINT_SECRET_KEY,
    readerRole: c.WATTPRINT_READER_ROLE,
    minuteRetentionDays: c.WATTPRINT_MINUTE_RETENTION_DAYS ?? undefined,
    hourlyRetentionDays: c.WATTPRINT_HOURLY_RETENTION_DAYS ?? undefined,
    batchKeyRetentionDays: c.WATTPRINT_BATCH_KEY_RETENTION_DAYS ?? undefined,
    rollupLagMs: c.WATTPRINT_ROLLUP_LAG_MS,
    maintenanceEveryMs: c.WATTPRINT_MAINTENANCE_EVERY_MS,
    bodyLimitBytes: c.WATTPRINT_BODY_LIMIT_BYTES,
    importLimitBytes: c.WATTPRINT_IMPORT_LIMIT_BYTES,
    calibrationEveryMs: c.WATTPRINT_CALIBRATION_EVERY_MS,
    budgetEveryMs: c.WATTPRINT_BUDGET_EVERY_MS,
    webhook:
      c.WATTPRINT_WEBHOOK_URL !== undefined && c.WATTPRINT_WEBHOOK_SECRET !== undefined
        ? { url: c.WATTPRINT_WEBHOOK_URL, secret: c.WATTPRINT_WEBHOOK_SECRET }
        : undefined,
    webhookTimeoutMs: c.WATTPRINT_WEBHOOK_TIMEOUT_MS,
    webhookPollMs: c.WATTPRINT_WEBHOOK_POLL_MS,
    webhookRetryMinMs: c.WATTPRINT_WEBHOOK_RETRY_MIN_MS,
    webhookRetryMaxMs: c.WATTPRINT_WEBHOOK_RETRY_MAX_MS,
    queueShards: c.WATTPRINT_QUEUE_SHARDS,
    redisCluster: c.WATTPRINT_REDIS_CLUSTER,
  };
}
