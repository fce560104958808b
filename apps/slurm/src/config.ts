import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnvFile } from './env-file';

export const DEFAULT_ENV_FILE = '/etc/wattprint/slurm.env';
export const DEFAULT_SPOOL_DIR = '/var/spool/wattprint-slurm';

/** Every variable of the env file, with what it means; the shell wrappers read the last two themselves. */
export const CONFIG_VARIABLES = {
  WATTPRINT_URL: 'collector base URL, e.g. https://wattprint.example.org',
  WATTPRINT_TOKEN_FILE: 'file holding a token of role scheduler (or admin), mode 0600',
  WATTPRINT_CA_FILE: 'PEM bundle to trust for an https collector signed by a private CA',
  WATTPRINT_SLURM_SPOOL_DIR: `events not yet delivered (default ${DEFAULT_SPOOL_DIR})`,
  WATTPRINT_SLURM_SPOOL_MAX_BYTES: 'spool bound; beyond it the oldest events are dropped and counted (default 16 MiB)',
  WATTPRINT_SLURM_TEAMS: 'account → team mapping file (default: the account is the team)',
  WATTPRINT_SLURM_CLUSTER: 'cluster name to publish instead of SLURM_CLUSTER_NAME',
  WATTPRINT_SLURM_TIMEOUT_MS: 'the most a prolog or epilog run may take, Node start-up included (default 1000)',
  WATTPRINT_SLURM_RESOLVE_MS: "how long the epilog's background step waits for Slurm's final job state (default 300000)",
  WATTPRINT_SLURM_LOG: 'JSON-lines log, rotated at 1 MiB (default <spool>/hook.log; - for stderr)',
  WATTPRINT_SLURM_NODE: 'node binary the shell wrappers run (default: node on PATH)',
  WATTPRINT_SLURM_PROGRAM: 'wattprint-slurm.js the shell wrappers run (default: the one of this checkout)',
  WATTPRINT_SLURM_ADMISSION:
    'job_submit.lua: warn (say the verdict, accept the job) or refuse (refuse a job the collector refuses; default warn)',
  WATTPRINT_SLURM_ADMIT_TIMEOUT_MS: 'the most the admission check may wait for the collector (default 2000); past it the job is accepted',
} as const;

export interface HookConfig {
  envFile: string;
  url: string | null;
  tokenFile: string | null;
  caFile: string | null;
  spoolDir: string;
  spoolMaxBytes: number;
  teamsFile: string | null;
  cluster: string | null;
  timeoutMs: number;
  resolveMs: number;
  /** Null: stderr. */
  logFile: string | null;
  /** job_submit.lua: what a `refuse` verdict does. */
  admission: 'warn' | 'refuse';
  admitTimeoutMs: number;
}

export interface LoadedConfig {
  config: HookConfig;
  /** Each names the variable, the value and what was expected; the hooks log them and carry on spooling. */
  problems: string[];
}

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}; using ${fallback}`);
    return fallback;
  }
  return n;
}

function admissionMode(raw: string | undefined, problems: string[]): 'warn' | 'refuse' {
  if (raw === undefined || raw === 'warn' || raw === 'refuse') return raw ?? 'warn';
  problems.push(`WATTPRINT_SLURM_ADMISSION=${JSON.stringify(raw)}: expected warn or refuse; using warn`);
  return 'warn';
}

/**
 * The configuration: the env file (WATTPRINT_SLURM_ENV, else /etc/wattprint/slurm.env), with the process
 * environment winning over it name by name (slurmd gives hooks a clean environment, so there it is the
 * file; an admin running `wattprint-slurm flush` by hand may override a value).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const envFile = env.WATTPRINT_SLURM_ENV || DEFAULT_ENV_FILE;
  const problems: string[] = [];
  let fileValues: Record<string, string> = {};
  try {
    const parsed = parseEnvFile(readFileSync(envFile, 'utf8'), envFile);
    fileValues = parsed.values;
    problems.push(...parsed.problems);
    for (const name of Object.keys(fileValues)) {
      if (!(name in CONFIG_VARIABLES))
        problems.push(`${envFile}: unknown variable ${name} (known: ${Object.keys(CONFIG_VARIABLES).join(', ')})`);
    }
  } catch (error) {
    problems.push(`cannot read ${envFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const get = (name: keyof typeof CONFIG_VARIABLES): string | undefined => {
    const v = env[name] ?? fileValues[name];
    return v === undefined || v === '' ? undefined : v;
  };

  const url = get('WATTPRINT_URL') ?? null;
  if (url === null) problems.push('WATTPRINT_URL is not set: expected the collector base URL; events stay in the spool');
  else if (!/^https?:\/\/[^/\s]+/.test(url)) problems.push(`WATTPRINT_URL=${JSON.stringify(url)}: expected http:// or https:// and a host`);
  const tokenFile = get('WATTPRINT_TOKEN_FILE') ?? null;
  if (tokenFile === null)
    problems.push('WATTPRINT_TOKEN_FILE is not set: expected the path of a scheduler token; events stay in the spool');
  const spoolDir = get('WATTPRINT_SLURM_SPOOL_DIR') ?? DEFAULT_SPOOL_DIR;
  const log = get('WATTPRINT_SLURM_LOG');

  const config: HookConfig = {
    envFile,
    url: url !== null && /^https?:\/\/[^/\s]+/.test(url) ? url.replace(/\/+$/, '') : null,
    tokenFile,
    caFile: get('WATTPRINT_CA_FILE') ?? null,
    spoolDir,
    spoolMaxBytes: integer(
      'WATTPRINT_SLURM_SPOOL_MAX_BYTES',
      get('WATTPRINT_SLURM_SPOOL_MAX_BYTES'),
      16 * 1024 * 1024,
      65_536,
      2 ** 40,
      problems,
    ),
    teamsFile: get('WATTPRINT_SLURM_TEAMS') ?? null,
    cluster: get('WATTPRINT_SLURM_CLUSTER') ?? null,
    timeoutMs: integer('WATTPRINT_SLURM_TIMEOUT_MS', get('WATTPRINT_SLURM_TIMEOUT_MS'), 1000, 100, 60_000, problems),
    resolveMs: integer('WATTPRINT_SLURM_RESOLVE_MS', get('WATTPRINT_SLURM_RESOLVE_MS'), 300_000, 0, 86_400_000, problems),
    logFile: log === '-' ? null : (log ?? join(spoolDir, 'hook.log')),
    admission: admissionMode(get('WATTPRINT_SLURM_ADMISSION'), problems),
    admitTimeoutMs: integer('WATTPRINT_SLURM_ADMIT_TIMEOUT_MS', get('WATTPRINT_SLURM_ADMIT_TIMEOUT_MS'), 2000, 100, 60_000, problems),
  };
  return { config, problems };
}
