import { accuracyReport, checkTargets, problemLine, SpecError } from '@wattprint/estimation';
import type { Command } from 'commander';
import { join } from 'node:path';
import { CliInputError } from '../cli-error';
import { fsReason } from '../files/fs-errors';
import { readDocument } from '../files/read-document';
import { formatAccuracy } from '../format/accuracy.format';
import { listDirectory, type CliIo } from '../io';

/** The reference set of the repository, found from this file whether it runs from src/ (tests) or dist/. */
export const REFERENCE_RUNS_DIR = join(__dirname, '..', '..', '..', '..', 'data', 'reference-runs');

interface AccuracyOptions {
  json?: boolean;
  dir: string;
}

function referenceFiles(dir: string, io: CliIo): string[] {
  let names: string[];
  try {
    names = listDirectory(io, dir);
  } catch (error) {
    throw new CliInputError([`${dir}: cannot read the directory (${fsReason(error)}); expected a directory of reference-run files`]);
  }
  const files = names.filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  if (files.length === 0) throw new CliInputError([`${dir}: got no .yaml or .json files; expected reference-run files`]);
  return files.map((n) => join(dir, n));
}

export function registerAccuracyCommand(program: Command, io: CliIo): void {
  program
    .command('accuracy')
    .description(
      'forecast every published run of the reference set and report the errors: uncalibrated, leave-one-out calibrated, p10–p90 coverage',
    )
    .option('--dir <directory>', 'directory of reference-run files', REFERENCE_RUNS_DIR)
    .option('--json', 'print the whole report (every run, every family, the targets) as JSON')
    .action((options: AccuracyOptions) => {
      const files = referenceFiles(options.dir, io);
      const documents = files.map((f) => readDocument(f, io));
      let report;
      try {
        report = accuracyReport(documents, files);
      } catch (error) {
        if (error instanceof SpecError) throw new CliInputError(error.problems.map(problemLine));
        throw error;
      }
      const check = checkTargets(report);
      if (options.json) io.stdout(`${JSON.stringify({ ...report, check }, null, 2)}\n`);
      else io.stdout(formatAccuracy(report, check, options.dir === REFERENCE_RUNS_DIR ? 'data/reference-runs' : options.dir));
    });
}
