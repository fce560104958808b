#!/usr/bin/env node
import { CommanderError } from 'commander';
import { TraceOptionsError } from './errors';
import { generateScenario } from './generate';
import { parseCliOptions } from './cli-options';
import { summarize } from './summary';
import { writeScenario } from './write-scenario';

/** Exit codes: 0 written, 2 bad command line. Anything else is a bug and exits 1 with its stack. */
export function main(argv: readonly string[]): number {
  let options;
  try {
    options = parseCliOptions(argv);
  } catch (error) {
    if (error instanceof TraceOptionsError) {
      for (const problem of error.problems) process.stderr.write(`error: ${problem.message}\n`);
      return 2;
    }
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const generated = generateScenario(options.scenario);
  const written = writeScenario(options.outDir, generated);
  if (!options.quiet) process.stdout.write(`${summarize(generated)}\n\n`);
  process.stdout.write(`wrote ${written.join(', ')}\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
