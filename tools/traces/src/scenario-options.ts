import { TraceOptionError, TraceOptionsError } from './errors';
import type { GpuProfile } from './gpu-profile';
import { DAY_MS, HOUR_MS } from '@wattprint/carbon';

/** Everything that decides a scenario; the same options always give the same files. */
export interface ScenarioOptions {
  /** Number of GPU nodes (one agent and one trace file each). Default 4. */
  nodes: number;
  /** GPUs on every node. Default 8. */
  gpusPerNode: number;
  /** Length of the window, ms. Default 2 h. */
  durationMs: number;
  /** Time between two readings of a device, ms. Default 1000. */
  intervalMs: number;
  /** First instant of the window, UTC ms; a whole number of intervals into the epoch is not required. */
  startMs: number;
  /** Seed of every random choice and every noise value. Default 7. */
  seed: number;
  /** The card in every node. Default H100. */
  profile: GpuProfile;
}

/** 100 M readings take 800 MB: 32 GPUs for 36 days at 1 s. */
export const MAX_SAMPLES = 100_000_000;

/**
 * Checks a whole set of options and reports every bad one at once.
 * Limits keep a scenario meaningful: at least 30 samples per device, and exact integer energy
 * sums (centiwatt × ms stays below 2^53 per device; see truth.ts).
 */
export function validateScenarioOptions(options: ScenarioOptions): ScenarioOptions {
  const problems: TraceOptionError[] = [];
  const integerIn = (field: string, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(new TraceOptionError(field, value, `a whole number from ${min} to ${max}`));
    }
  };
  integerIn('nodes', options.nodes, 1, 1000);
  integerIn('gpusPerNode', options.gpusPerNode, 1, 64);
  integerIn('intervalMs', options.intervalMs, 10, HOUR_MS);
  integerIn('durationMs', options.durationMs, 1, 366 * DAY_MS);
  integerIn('startMs', options.startMs, 0, 8.64e15);
  integerIn('seed', options.seed, 0, 0xffffffff);
  const { idleW, tdpW } = options.profile;
  if (!Number.isFinite(idleW) || idleW < 0) {
    problems.push(new TraceOptionError('profile.idleW', idleW, 'a power in watts of 0 or more'));
  }
  if (!Number.isFinite(tdpW) || tdpW <= idleW || tdpW > 5000) {
    problems.push(new TraceOptionError('profile.tdpW', tdpW, `a power limit in watts above idle (${idleW} W) and at most 5000`));
  }
  if (problems.length === 0 && options.durationMs / options.intervalMs < 30) {
    problems.push(new TraceOptionError('durationMs', options.durationMs, `at least 30 intervals of ${options.intervalMs} ms`));
  }
  if (problems.length === 0 && options.durationMs / options.intervalMs > 50_000_000) {
    problems.push(new TraceOptionError('durationMs', options.durationMs, 'at most 50,000,000 intervals per device'));
  }
  // Every reading is held in memory (8 bytes with its job) until the files are written.
  const samples = options.nodes * options.gpusPerNode * (Math.floor(options.durationMs / options.intervalMs) + 1);
  if (problems.length === 0 && samples > MAX_SAMPLES) {
    problems.push(
      new TraceOptionError(
        'durationMs',
        options.durationMs,
        `at most ${MAX_SAMPLES.toLocaleString('en-US')} readings in all (nodes x GPUs x instants; asked for ${samples.toLocaleString('en-US')}): fewer nodes, a shorter window or a longer interval`,
      ),
    );
  }
  if (problems.length > 0) throw new TraceOptionsError(problems);
  return options;
}
