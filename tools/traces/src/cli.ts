#!/usr/bin/env node
import { CommanderError } from 'commander';
import { TraceOptionsError } from './errors';
import { generateScenario } from './generate';
import { parseCliOptions } from './cli-options';
import { summarize } from './summary';
import { writeScenario } from './write-scenario';

/** Where the CLI prints; process.stdout and process.stderr in production. */
export interface TextSink {
  write(text: string): unknown;
}

/** Exit codes: 0 written, 1 output folder not writable, 2 bad command line. Anything else is a bug and throws. */
export function main(argv: readonly string[], out: TextSink = process.stdout, err: TextSink = process.stderr): number {
  let options;
  try {
    options = parseCliOptions(argv, Date.now(), out);
  } catch (error) {
    if (error instanceof TraceOptionsError) {
      for (const problem of error.problems) err.write(`error: ${problem.message}\n`);
      return 2;
    }
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; commander has printed them already.
      if (error.exitCode === 0) return 0;
      err.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const generated = generateScenario(options.scenario);
  let written: string[];
  try {
    written = writeScenario(options.outDir, generated);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    err.write(`error: --out: cannot write into ${JSON.stringify(options.outDir)} (${code}: ${(error as Error).message})\n`);
    return 1;
  }
  if (!options.quiet) out.write(`${summarize(generated)}\n\n`);
  out.write(`wrote ${written.join(', ')}\n`);
  return 0;
}

if (require.main === module) {
  // `... | head` closes the pipe early; that is the reader's choice, not a failure worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  process.exitCode = main(process.argv.slice(2));
}
