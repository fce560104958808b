import { hourStartOf } from '@wattprint/carbon';
import { Command } from 'commander';
import { durationOption } from './duration';
import { TraceOptionError, TraceOptionsError } from './errors';
import { GPU_PROFILES, type GpuProfile } from './gpu-profile';
import { validateScenarioOptions, type ScenarioOptions } from './scenario-options';

export interface CliOptions {
  outDir: string;
  scenario: ScenarioOptions;
  quiet: boolean;
}

export const DEFAULTS = { nodes: '4', gpus: '8', duration: '2h', interval: '1s', seed: '7', profile: 'h100' };

/** Without --start, the window begins at the top of the current UTC hour. */
function defaultStart(now: number): number {
  return hourStartOf(now);
}

/**
 * Reads the command line into generator options, collecting every bad flag before failing, each
 * named with the value given and what was expected.
 */
export function parseCliOptions(
  argv: readonly string[],
  now = Date.now(),
  help: { write(text: string): unknown } = process.stdout,
): CliOptions {
  const program = new Command('wattprint-traces')
    .description('Generates a simulated GPU cluster: per-node replay traces, scenario.json, truth.json, intensity.csv')
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .option('--nodes <n>', 'number of GPU nodes', DEFAULTS.nodes)
    .option('--gpus <n>', 'GPUs per node', DEFAULTS.gpus)
    .option('--duration <d>', 'window length, e.g. 30m, 2h, 1d', DEFAULTS.duration)
    .option('--interval <d>', 'time between readings, e.g. 1s, 500ms', DEFAULTS.interval)
    .option('--seed <n>', 'seed of every random choice (0 to 4294967295)', DEFAULTS.seed)
    .option('--start <iso>', 'start of the window, ISO 8601 UTC (default: top of the current hour)')
    .option('--profile <name>', `GPU model: ${Object.keys(GPU_PROFILES).join(', ')}`, DEFAULTS.profile)
    .option('--idle-w <watts>', 'override the profile idle power')
    .option('--tdp-w <watts>', 'override the profile power limit')
    .option('--quiet', 'print only the paths written', false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: (s) => help.write(s) })
    .parse([...argv], { from: 'user' });
  const raw = program.opts<Record<string, string | boolean | undefined>>();
  const problems: TraceOptionError[] = [];
  const attempt = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof TraceOptionError) {
        problems.push(error);
        return fallback;
      }
      throw error;
    }
  };
  const integer = (flag: string, text: string, min: number, max: number): number => {
    const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new TraceOptionError(flag, text, `a whole number from ${min} to ${max}`);
    }
    return value;
  };
  const watts = (flag: string, text: string): number => {
    const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isFinite(value)) throw new TraceOptionError(flag, text, 'a power in watts, e.g. 70 or 69.5');
    return value;
  };

  const nodes = attempt(() => integer('--nodes', String(raw.nodes), 1, 1000), 1);
  const gpusPerNode = attempt(() => integer('--gpus', String(raw.gpus), 1, 64), 1);
  const durationMs = attempt(() => durationOption('--duration', String(raw.duration)), 0);
  const intervalMs = attempt(() => durationOption('--interval', String(raw.interval)), 0);
  const seed = attempt(() => integer('--seed', String(raw.seed), 0, 0xffffffff), 0);
  const startMs = attempt(() => {
    if (raw.start === undefined) return defaultStart(now);
    const text = String(raw.start);
    const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : NaN;
    if (!Number.isFinite(ms) || ms < 0) {
      throw new TraceOptionError('--start', text, 'an ISO 8601 time with a zone, e.g. 2026-03-02T08:00:00Z');
    }
    return ms;
  }, 0);
  let profile: GpuProfile = GPU_PROFILES.h100;
  attempt(() => {
    const base = GPU_PROFILES[String(raw.profile)];
    if (!base) throw new TraceOptionError('--profile', raw.profile, `one of ${Object.keys(GPU_PROFILES).join(', ')}`);
    profile = { ...base };
    return undefined;
  }, undefined);
  if (raw.idleW !== undefined) profile = { ...profile, idleW: attempt(() => watts('--idle-w', String(raw.idleW)), profile.idleW) };
  if (raw.tdpW !== undefined) profile = { ...profile, tdpW: attempt(() => watts('--tdp-w', String(raw.tdpW)), profile.tdpW) };
  if (problems.length > 0) throw new TraceOptionsError(problems);

  // The checks that span several options speak in option fields; say them back in flags and the text typed.
  const flags: Record<string, [string, unknown]> = {
    durationMs: ['--duration', raw.duration],
    intervalMs: ['--interval', raw.interval],
    startMs: ['--start', raw.start],
    'profile.idleW': ['--idle-w', raw.idleW ?? `${profile.idleW} (profile ${String(raw.profile)})`],
    'profile.tdpW': ['--tdp-w', raw.tdpW ?? `${profile.tdpW} (profile ${String(raw.profile)})`],
  };
  try {
    const scenario = validateScenarioOptions({ nodes, gpusPerNode, durationMs, intervalMs, startMs, seed, profile });
    return { outDir: String(raw.out), scenario, quiet: raw.quiet === true };
  } catch (error) {
    if (!(error instanceof TraceOptionsError)) throw error;
    throw new TraceOptionsError(
      error.problems.map((p) => (flags[p.field] ? new TraceOptionError(flags[p.field][0], flags[p.field][1], p.expected) : p)),
    );
  }
}
