import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { Identifier, QUEUE_PREFIX, QUEUE_PREFIX_RULE, SampleSource, parseWith, problemLines } from '@wattprint/protocol';

/** Thrown once at start-up when the environment or the config file is wrong; lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid agent configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

// Variables are strings: checked as text first, so an error quotes what was given ("soon", not NaN).
const intFrom = (min: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `expected an integer >= ${min}`)
    .transform(Number)
    .pipe(z.number().int().min(min, `expected an integer >= ${min}`));

const positiveNumber = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'expected a number > 0')
  .transform(Number)
  .pipe(z.number().positive('expected a number > 0'));

const sourcesList = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(SampleSource, { error: `expected a comma-separated list of ${SampleSource.options.join(', ')}` }).min(1));

/** Environment variable names are the config keys, in the file too, so one table documents both. */
const ConfigSchema = z.object({
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected redis://… or rediss://…')
    .default('redis://127.0.0.1:6379'),
  WATTPRINT_QUEUE_PREFIX: z.string().regex(QUEUE_PREFIX_RULE.pattern, `expected ${QUEUE_PREFIX_RULE.expected}`).default(QUEUE_PREFIX),
  WATTPRINT_AGENT_ID: Identifier.refine((id) => !id.includes('/'), 'agent id may not contain "/"').default(
    () => hostname().split('.')[0] || 'agent',
  ),
  WATTPRINT_NODE: z
    .string()
    .min(1)
    .max(255)
    .default(() => hostname()),
  WATTPRINT_AGENT_KEY: z.string().min(16, 'expected at least 16 characters').optional(),
  WATTPRINT_INTERVAL_MS: intFrom(50).default(1000),
  WATTPRINT_FLUSH_MS: intFrom(100).default(5000),
  WATTPRINT_SOURCES: sourcesList.optional(),
  WATTPRINT_SPOOL_DIR: z.string().min(1).default('/var/lib/wattprint/spool'),
  WATTPRINT_SPOOL_MAX_BYTES: intFrom(4096).default(256 * 1024 * 1024),
  WATTPRINT_NVIDIA_SMI: z.string().min(1).default('nvidia-smi'),
  WATTPRINT_NVIDIA_SMI_APPS_MS: intFrom(100).default(5000),
  WATTPRINT_NVML_LIB: z.string().min(1).default('libnvidia-ml.so.1'),
  WATTPRINT_RAPL_ROOT: z.string().min(1).default('/sys/class/powercap'),
  WATTPRINT_PROC_ROOT: z.string().min(1).default('/proc'),
  WATTPRINT_REPLAY: z.string().min(1).optional(),
  WATTPRINT_REPLAY_SPEED: positiveNumber.default(1),
  WATTPRINT_GPU_SPLIT: z.enum(['memory', 'equal']).default('memory'),
  WATTPRINT_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
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
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

const KEYS = Object.keys(ConfigSchema.shape) as string[];
const SECRET_KEYS = ['WATTPRINT_AGENT_KEY', 'REDIS_URL'];

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`WATTPRINT_CONFIG: cannot read ${JSON.stringify(path)}: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    // Loaded only when a file is given: 8 MB of RSS the agent does not carry otherwise.
    const { parse } = require('yaml') as typeof import('yaml');
    parsed = parse(text);
  } catch (error) {
    throw new ConfigError([`WATTPRINT_CONFIG: ${path} is not YAML or JSON: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError([`WATTPRINT_CONFIG: ${path} must hold a mapping of variable names to values`]);
  const unknown = Object.keys(parsed).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) throw new ConfigError(unknown.map((k) => `${path}: unknown key ${k}; expected one of ${KEYS.join(', ')}`));
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

/**
 * Reads the configuration once: the optional file named by WATTPRINT_CONFIG (YAML or JSON, keys are the
 * variable names below) gives values, the environment overrides them. Empty variables count as unset.
 */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const fromFile = env.WATTPRINT_CONFIG ? readConfigFile(env.WATTPRINT_CONFIG) : {};
  const fromEnv = Object.fromEntries(KEYS.filter((k) => env[k] !== undefined && env[k] !== '').map((k) => [k, env[k]]));
  const parsed = parseWith(ConfigSchema, { ...fromFile, ...fromEnv });
  if (!parsed.ok) {
    // The key and a Redis URL (which may hold a password) are secrets: their values are never echoed.
    const problems = parsed.problems.map((p) =>
      SECRET_KEYS.includes(p.path) ? { ...p, message: p.message.replace(/; got .*$/, '; value not shown') } : p,
    );
    throw new ConfigError(problemLines(problems));
  }
  const c = parsed.value;
  // Checked after the parse, by hand: a zod refinement on the object would quote the whole object, key included.
  if (c.WATTPRINT_FLUSH_MS < c.WATTPRINT_INTERVAL_MS) {
    throw new ConfigError([
      `WATTPRINT_FLUSH_MS: expected at least WATTPRINT_INTERVAL_MS (${c.WATTPRINT_INTERVAL_MS}); got ${c.WATTPRINT_FLUSH_MS}`,
    ]);
  }
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
  };
}

/** Redacts the key, so the config can be logged at start-up. */
export function describeConfig(config: AgentConfig): Record<string, unknown> {
  return { ...config, agentKey: config.agentKey ? '(set)' : '(unset)', redisUrl: config.redisUrl.replace(/\/\/[^@/]*@/, '//***@') };
}
