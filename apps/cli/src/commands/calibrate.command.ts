import { calibrate, problemLine, SpecError } from '@wattprint/estimation';
import { CliInputError } from '../cli-error';
import type { Command } from 'commander';
import { readObservations } from '../files/read-document';
import { writeOutput } from '../files/write-output';
import { formatCalibration } from '../format/calibration.format';
import type { CliIo } from '../io';

interface CalibrateOptions {
  output?: string;
  json?: boolean;
}

export function registerCalibrateCommand(program: Command, io: CliIo): void {
  program
    .command('calibrate')
    .description('fit the energy model per hardware profile from measured runs (energy, with or without duration) and report the fit')
    .argument('<observations...>', 'files of observations: a JSON/YAML list, or JSON Lines (.jsonl)')
    .option('-o, --output <file>', 'write the calibration file that `forecast --calibration` reads')
    .option('--json', 'print the calibration as JSON')
    .action((paths: string[], options: CalibrateOptions) => {
      const observations: unknown[] = [];
      const labels: string[] = [];
      for (const path of paths) {
        const read = readObservations(path, io);
        observations.push(...read.observations);
        labels.push(...read.labels);
      }
      let file;
      try {
        file = calibrate(observations, labels);
      } catch (error) {
        // Paths start with the label (`runs.jsonl:3`), which already names the file and the line.
        if (error instanceof SpecError) throw new CliInputError(error.problems.map(problemLine));
        throw error;
      }
      const json = `${JSON.stringify(file, null, 2)}\n`;
      if (options.output) writeOutput(options.output, json, io);
      if (options.json) io.stdout(json);
      else io.stdout(formatCalibration(file) + (options.output ? `\nWrote ${options.output}\n` : ''));
    });
}
