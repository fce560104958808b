import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Identifier, MAX_QUEUE_SHARDS, QUEUE_PREFIX, QUEUE_PREFIX_RULE, SampleSource } from '@wattprint/protocol';
import {
  ConfigError,
  LOG_LEVELS,
  type LogLevel,
  envBoolean,
  envEnum,
  envInt,
  envPositiveNumber,
  envText,
  envUrl,
  parseEnv,
} from '@wattprint/runtime';
import { z } from 'zod';

export { ConfigError };

const SOURCES_EXPECTED = `a comma-separated list of ${SampleSource.options.join(', ')}`;

const sourcesList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(SampleSource.options, { error: SOURCES_EXPECTED })).min(1, SOURCES_EXPECTED));

/** Environment variable names are the config keys, in the file too, so one table documents both. */
const ConfigSchema = z
  .object({
    REDIS_URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    WATTPRINT_QUEUE_PREFIX: z.string().regex(QUEUE_PREFIX_RULE.pattern, QUEUE_PREFIX_RULE.expected).default(QUEUE_PREFIX),
    WATTPRINT_AGENT_ID: Identifier.refine((id) => !id.includes('/'), 'an agent id without "/"').default(
      () => hostname().split('.')[0] || 'agent',
    ),
    WATTPRINT_NODE: envText(255).default(() => hostname()),
    WATTPRINT_AGENT_KEY: envText(4096, 16).optional(),
    WATTPRINT_INTERVAL_MS: envInt(50).default(1000),
    WATTPRINT_FLUSH_MS: envInt(100).default(5000),
    WATTPRINT_SOURCES: sourcesList.optional(),
    WATTPRINT_SPOOL_DIR: envText().default('/var/lib/wattprint/spool'),
    WATTPRINT_SPOOL_MAX_BYTES: envInt(4096).default(256 * 1024 * 1024),
    WATTPRINT_NVIDIA_SMI: envText().default('nvidia-smi'),
    WATTPRINT_NVIDIA_SMI_APPS_MS: envInt(100).default(5000),
    WATTPRINT_NVML_LIB: envText().default('libnvidia-ml.so.1'),
    WATTPRINT_RAPL_ROOT: envText().default('/sys/class/powercap'),
    WATTPRINT_PROC_ROOT: envText().default('/proc'),
    WATTPRINT_REPLAY: envText().optional(),
    WATTPRINT_REPLAY_SPEED: envPositiveNumber().default(1),
    WATTPRINT_GPU_SPLIT: envEnum(['memory', 'equal']).default('memory'),
    WATTPRINT_LOG_LEVEL: envEnum(LOG_LEVELS).default('info'),
    WATTPRINT_AGENT_METRICS_PORT: envInt(0, 65535).optional(),
    WATTPRINT_AGENT_METRICS_HOST: envText(255).default('127.0.0.1'),
    WATTPRINT_QUEUE_SHARDS: envInt(1, MAX_QUEUE_SHARDS).default(1),
    WATTPRINT_REDIS_CLUSTER: envBoolean().default(false),
  })
  .superRefine((c, ctx) => {
    if (c.WATTPRINT_FLUSH_MS < c.WATTPRINT_INTERVAL_MS)
      ctx.addIssue({
        code: 'custom',
        path: ['WATTPRINT_FLUSH_MS'],
        message: `at least WATTPRINT_INTERVAL_MS (${c.WATTPRINT_INTERVAL_MS})`,
      });
  });

export interface AgentConfig {
  redisUrl: string;
  /** BullMQ key prefix; the collectors must use the same one. */
  queuePrefix: string;
  agentId: string;
  node: string;
  /** HMAC key; only `run` needs it, `probe` does not. */
  agentKey: string | null;
  intervalMs: number;
  flushMs: number;
  /** Sources asked for; null means every source found present. */
  sources: SampleSource[] | null;
  spoolDir: string;
  spoolMaxBytes: number;
  nvidiaSmi: string;
  nvidiaSmiAppsMs: number;
  nvmlLib: string;
  raplRoot: string;
  procRoot: string;
  replay: string | null;
  replaySpeed: number;
  gpuSplit: 'memory' | 'equal';
  logLevel: LogLevel;
  /** Port of `GET /metrics` (Prometheus); null: no metrics served. 0 picks a free port (logged). */
  metricsPort: number | null;
  /** Address the metrics port binds to; loopback unless an operator opens it. */
  metricsHost: string;
  /** `WATTPRINT_QUEUE_SHARDS` (1): shards of the samples queue; the agent sends to one, chosen from its id (agentShard). */
  queueShards: number;
  /** `WATTPRINT_REDIS_CLUSTER` (false): REDIS_URL names a node of a Redis Cluster. */
  redisCluster: boolean;
}

const KEYS = Object.keys(ConfigSchema.shape) as string[];
/** The key is never printed; a Redis URL (which may hold a password) is printed without it. */
const SECRETS = { hidden: ['WATTPRINT_AGENT_KEY'], urls: ['REDIS_URL'] };

function readConfigFile(path: string): Record<string, string | undefined> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`WATTPRINT_CONFIG: cannot read ${JSON.stringify(path)}: ${(error as Error).message}`], 'agent configuration');
  }
  let parsed: unknown;
  try {
    // Loaded only when a file is given: 8 MB of RSS the agent does not carry otherwise.
    const { parse } = require('yaml') as typeof import('yaml');
    parsed = parse(text);
  } catch (error) {
    throw new ConfigError(
      [`WATTPRINT_CONFIG: ${path} is not YAML or JSON: ${(error as Error).message.split('\n')[0]}`],
      'agent configuration',
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError([`WATTPRINT_CONFIG: ${path} must hold a mapping of variable names to values`], 'agent configuration');
  const unknown = Object.keys(parsed).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0)
    throw new ConfigError(
      unknown.map((k) => `${path}: unknown key ${k}; expected one of ${KEYS.join(', ')}`),
      'agent configuration',
    );
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

/**
 * Reads the configuration once: the optional file named by WATTPRINT_CONFIG (YAML or JSON, keys are the
 * variable names below) gives values, the environment overrides them. Empty variables count as unset.
 */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const fromFile = env.WATTPRINT_CONFIG ? readConfigFile(env.WATTPRINT_CONFIG) : {};
  const fromEnv: Record<string, string | undefined> = Object.fromEntries(
    KEYS.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]),
  );
  const c = parseEnv(ConfigSchema, { ...fromFile, ...fromEnv }, SECRETS, 'agent configuration');
  return {
    redisUrl: c.REDIS_URL,
    queuePrefix: c.WATTPRINT_QUEUE_PREFIX,
    agentId: c.WATTPRINT_AGENT_ID,
    node: c.WATTPRINT_NODE,
    agentKey: c.WATTPRINT_AGENT_KEY ?? null,
    intervalMs: c.WATTPRINT_INTERVAL_MS,
    flushMs: c.WATTPRINT_FLUSH_MS,
    sources: c.WATTPRINT_SOURCES ?? null,
    spoolDir: c.WATTPRINT_SPOOL_DIR,
    spoolMaxBytes: c.WATTPRINT_SPOOL_MAX_BYTES,
    nvidiaSmi: c.WATTPRINT_NVIDIA_SMI,
    nvidiaSmiAppsMs: c.WATTPRINT_NVIDIA_SMI_APPS_MS,
    nvmlLib: c.WATTPRINT_NVML_LIB,
    raplRoot: c.WATTPRINT_RAPL_ROOT,
    procRoot: c.WATTPRINT_PROC_ROOT,
    replay: c.WATTPRINT_REPLAY ?? null,
    replaySpeed: c.WATTPRINT_REPLAY_SPEED,
    gpuSplit: c.WATTPRINT_GPU_SPLIT,
    logLevel: c.WATTPRINT_LOG_LEVEL,
    metricsPort: c.WATTPRINT_AGENT_METRICS_PORT ?? null,
    metricsHost: c.WATTPRINT_AGENT_METRICS_HOST,
    queueShards: c.WATTPRINT_QUEUE_SHARDS,
    redisCluster: c.WATTPRINT_REDIS_CLUSTER,
  };
}

/** Redacts the key, so the config can be logged at start-up. */
export function describeConfig(config: AgentConfig): Record<string, unknown> {
  return { ...config, agentKey: config.agentKey ? '(set)' : '(unset)', redisUrl: config.redisUrl.replace(/\/\/[^@/]*@/, '//***@') };
}
