import { join } from 'node:path';
import { QUEUE_PREFIX, QUEUE_PREFIX_RULE } from '@wattprint/protocol';
import { DEFAULT_SAMPLE_BOUNDS, type SampleBounds } from '../ingest/sample-bounds';
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
   * stored encrypted with it (AES-256-GCM) and keys stored in clear are encrypted at start.
   */
  secretKey: Buffer | undefined;
  /**
   * `WATTPRINT_READER_ROLE`: a PostgreSQL role (Grafana's) given SELECT on the tables without secrets
   * after every migration, and nothing else (see READER_TABLES in libs/db). Unset: no grants.
   */
  readerRole: string | undefined;
  /** `WATTPRINT_BODY_LIMIT_BYTES` (1048576): the largest JSON body of an API request; larger: 413. */
  bodyLimitBytes: number;
  /** `WATTPRINT_IMPORT_LIMIT_BYTES` (67108864): the largest intensity import; larger: 413. */
  importLimitBytes: number;
}

/** 32 bytes from 64 hex digits or base64, or undefined when the text is neither. */
function secretKeyBytes(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const decoded = /^[A-Za-z0-9+/_-]{43}=?$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  return decoded?.length === 32 ? decoded : undefined;
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
    workerConcurrency: e.int('WATTPRINT_WORKER_CONCURRENCY', 512, { min: 1, max: 10_000 }),
    groupCommitMs: e.int('WATTPRINT_GROUP_COMMIT_MS', 50, { min: 0, max: 10_000 }),
    groupCommitMaxBatches: e.int('WATTPRINT_GROUP_COMMIT_MAX', 512, { min: 1, max: 100_000 }),
    groupCommitsInFlight: e.int('WATTPRINT_GROUP_COMMITS_IN_FLIGHT', 1, { min: 1, max: 64 }),
    rateLimitPerMinute: e.int('WATTPRINT_RATE_LIMIT_PER_MINUTE', 600, { min: 1 }),
    queuePrefix: e.string('WATTPRINT_QUEUE_PREFIX', QUEUE_PREFIX),
    dbRetryMaxMs: e.int('WATTPRINT_DB_RETRY_MAX_MS', 5000, { min: 10, max: 600_000 }),
    agentKeyTtlMs: e.int('WATTPRINT_AGENT_KEY_TTL_MS', 10_000, { min: 0, max: 3_600_000 }),
    sqliteBusyTimeoutMs: e.int('WATTPRINT_SQLITE_BUSY_TIMEOUT_MS', 10_000, { min: 0, max: 600_000 }),
    sampleBounds: {
      earliestMs: e.time('WATTPRINT_EARLIEST_TIME', DEFAULT_SAMPLE_BOUNDS.earliestMs),
      maxAheadMs: e.int('WATTPRINT_MAX_AHEAD_MS', DEFAULT_SAMPLE_BOUNDS.maxAheadMs, { min: 0, max: 366 * 86_400_000 }),
      maxSpanMs: e.int('WATTPRINT_MAX_SAMPLE_SPAN_MS', DEFAULT_SAMPLE_BOUNDS.maxSpanMs, { min: 1, max: 86_400_000 }),
      maxPowerW: e.int('WATTPRINT_MAX_DEVICE_POWER_W', DEFAULT_SAMPLE_BOUNDS.maxPowerW, { min: 1, max: 1_000_000 }),
    },
    maxStalls: e.int('WATTPRINT_MAX_STALLS', 3, { min: 1, max: 1000 }),
    jobEventWaitMs: e.int('WATTPRINT_JOB_EVENT_WAIT_MS', 60_000, { min: 0, max: 86_400_000 }),
    secretKey: undefined,
    readerRole: e.string('WATTPRINT_READER_ROLE'),
    bodyLimitBytes: e.int('WATTPRINT_BODY_LIMIT_BYTES', 1_048_576, { min: 1024, max: 1_073_741_824 }),
    importLimitBytes: e.int('WATTPRINT_IMPORT_LIMIT_BYTES', 67_108_864, { min: 1024, max: 17_179_869_184 }),
  };
  const secret = e.string('WATTPRINT_SECRET_KEY');
  if (secret !== undefined) {
    config.secretKey = secretKeyBytes(secret);
    if (config.secretKey === undefined) {
      e.problems.push({
        variable: 'WATTPRINT_SECRET_KEY',
        value: '(hidden)',
        expected: '32 bytes as 64 hex digits or as base64 (openssl rand -hex 32)',
      });
    }
  }
  if (!QUEUE_PREFIX_RULE.pattern.test(config.queuePrefix)) {
    e.problems.push({ variable: 'WATTPRINT_QUEUE_PREFIX', value: config.queuePrefix, expected: QUEUE_PREFIX_RULE.expected });
  }
  if (config.bootstrapToken !== undefined && config.bootstrapToken.length < 16) {
    e.problems.push({ variable: 'WATTPRINT_BOOTSTRAP_TOKEN', value: '(hidden)', expected: 'at least 16 characters' });
  }
  e.done();
  return config;
}
