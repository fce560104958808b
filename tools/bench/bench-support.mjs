// Small helpers the benchmark scripts share. They run as plain node scripts on the built workspace
// (npm run build), so the process harness comes from tools/sim's dist like the apps they start.
import { createRequire } from 'node:module';
import { Command, InvalidArgumentError } from 'commander';

const require = createRequire(import.meta.url);
const sim = require('@wattprint/sim');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 right now (the OS picks it), for a child process to listen on. */
export const freePort = sim.freePort;

/** Polls `check` every `everyMs` until it returns something truthy, which it returns; throws after `timeoutMs`. */
export function waitUntil(what, check, timeoutMs, everyMs) {
  return sim.waitFor(what, async () => (await check()) || undefined, { timeoutMs, everyMs });
}

/** A commander option parser: a number of at least `min` (and a whole one when `integer`). */
export function atLeast(min, integer = false) {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value)))
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} >= ${min}`);
    return value;
  };
}

/** The `--postgres` option of the benchmarks that need one, for `.option(...POSTGRES_OPTION)`: WATTPRINT_BENCH_PG, else the local test database. */
export const POSTGRES_OPTION = [
  '--postgres <url>',
  'PostgreSQL (or WATTPRINT_BENCH_PG)',
  process.env.WATTPRINT_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/test',
];

/**
 * A benchmark's command line: `--help` lists its options, and a bad option ends the run with one line
 * naming it and exit status 2 before anything starts.
 */
export function benchCommand(name, description) {
  return new Command(name)
    .description(description)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
}
