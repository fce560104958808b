#!/usr/bin/env node
/**
 * How fast the generator is, against baselines measured in the same run on the same machine:
 * drawing the same number of normal deviates (the floor of any per-sample noise), and writing the
 * same number of bytes with no formatting. Ratios, not absolute figures, are what carry across machines.
 *
 * Each figure is the best of three runs.
 *
 *   node tools/traces/dist/bench.js [--nodes 4] [--gpus 8] [--duration 24h]
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOUR_MS } from '@wattprint/carbon';
import { Command, InvalidArgumentError } from 'commander';
import { durationOption } from './duration';
import { TraceOptionError } from './errors';
import { generateScenario } from './generate';
import { GPU_PROFILES } from './gpu-profile';
import { Rng } from './prng';
import { writeScenario } from './write-scenario';

/** A commander parser: a whole number from 1 to `max`. */
function count(max: number): (text: string) => number {
  return (text) => {
    const n = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    return n;
  };
}

function duration(text: string): number {
  try {
    return durationOption('--duration', text);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof TraceOptionError ? `expected ${error.expected}` : String(error));
  }
}

/** Best of `runs` timings: the machine is shared, and the fastest run is the one least disturbed. */
function seconds(fn: () => void, runs = 3): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return best;
}

function main(argv: string[]): void {
  const program = new Command('bench.js')
    .description('times the trace generator against baselines measured in the same run')
    .option('--nodes <n>', 'GPU nodes', count(1000), 4)
    .option('--gpus <n>', 'GPUs per node', count(64), 8)
    .option('--duration <d>', 'trace length, e.g. 24h', duration, 24 * HOUR_MS)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .parse(argv, { from: 'user' });
  const { nodes, gpus, duration: durationMs } = program.opts<{ nodes: number; gpus: number; duration: number }>();
  const options = {
    nodes,
    gpusPerNode: gpus,
    durationMs,
    intervalMs: 1000,
    startMs: Date.UTC(2026, 2, 2),
    seed: 7,
    profile: GPU_PROFILES.h100,
  };
  const samples = nodes * gpus * (Math.floor(durationMs / 1000) + 1);
  const dir = mkdtempSync(join(tmpdir(), 'wattprint-traces-bench-'));
  try {
    let sink = 0;
    const rng = new Rng(1);
    const noiseS = seconds(() => {
      for (let i = 0; i < samples; i++) sink += rng.normal();
    });
    let generated = generateScenario({ ...options, durationMs: HOUR_MS }); // warm the JIT
    const generateS = seconds(() => {
      generated = generateScenario(options);
    });
    // Every run writes fresh files, so neither side gains from overwriting pages already cached.
    let run = 0;
    const writeS = seconds(() => writeScenario(join(dir, `csv-${run++}`), generated));
    const bytes = generated.scenario.nodes.reduce((a, n) => a + statSync(join(dir, 'csv-0', n.traceFile)).size, 0);
    const chunk = Buffer.alloc(1 << 20, 'x');
    const rawS = seconds(() => {
      const fd = openSync(join(dir, `raw-${run++}.bin`), 'w');
      for (let left = bytes; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(left, chunk.length));
      closeSync(fd);
    });
    const rate = (n: number, s: number) => `${(n / s / 1e6).toFixed(2)} M/s`;
    process.stdout.write(
      [
        `traces bench: ${nodes} nodes x ${gpus} GPUs, ${durationMs / HOUR_MS} h at 1 s = ${samples.toLocaleString('en-US')} samples, ${(bytes / 1e6).toFixed(1)} MB of CSV`,
        `baseline normal draws   ${noiseS.toFixed(3)} s  ${rate(samples, noiseS)}`,
        `plan + render + truth   ${generateS.toFixed(3)} s  ${rate(samples, generateS)}  (${(generateS / noiseS).toFixed(2)}x the normal draws)`,
        `baseline raw write      ${rawS.toFixed(3)} s  ${(bytes / rawS / 1e6).toFixed(0)} MB/s`,
        `CSV + JSON write        ${writeS.toFixed(3)} s  ${(bytes / writeS / 1e6).toFixed(0)} MB/s  (${(writeS / rawS).toFixed(2)}x the raw write)`,
        `total                   ${(generateS + writeS).toFixed(3)} s for ${samples.toLocaleString('en-US')} samples (${(((generateS + writeS) * 1e9) / samples).toFixed(0)} ns each)`,
        `(checksum ${sink.toFixed(3)})`,
      ].join('\n') + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv.slice(2));
