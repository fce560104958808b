import { explainForecast, parseCalibration, SpecError, type CalibrationFile } from '@wattprint/estimation';
import type { Command } from 'commander';
import { CliInputError } from '../cli-error';
import { readIntensityOptions } from '../files/intensity-file';
import { readDocument } from '../files/read-document';
import { formatForecast } from '../format/forecast.format';
import type { CliIo } from '../io';

interface ForecastOptions {
  calibration?: string;
  json?: boolean;
  intensity: string[];
}

/** SpecErrors name paths inside a file; the person needs the file too. */
export function inFile(path: string, error: unknown): never {
  if (error instanceof SpecError) throw new CliInputError(error.problems.map((p) => `${path}: ${p.path}: ${p.message}`));
  throw error;
}

export function readCalibrationFile(path: string, io: CliIo): CalibrationFile {
  const document = readDocument(path, io);
  try {
    return parseCalibration(document);
  } catch (error) {
    return inFile(path, error);
  }
}

export function registerForecastCommand(program: Command, io: CliIo): void {
  program
    .command('forecast')
    .description('forecast the energy, CO2eq and duration of a run spec (JSON or YAML)')
    .argument('<spec>', 'run spec file, e.g. examples/mnist-dedicated.yaml')
    .option('--calibration <file>', 'calibration file written by `wattprint calibrate -o`')
    .option(
      '--intensity <region=file>',
      'hourly intensity CSV (timestamp,gCO2eq_per_kWh) for site.region; repeatable',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--json', 'print the Result of spec-format.md as JSON')
    .action((specPath: string, options: ForecastOptions) => {
      const spec = readDocument(specPath, io);
      const calibration = options.calibration ? readCalibrationFile(options.calibration, io) : undefined;
      const intensity = readIntensityOptions(options.intensity, io);
      let explained;
      try {
        explained = explainForecast(spec, { calibration, intensity });
      } catch (error) {
        return inFile(specPath, error);
      }
      if (options.json) {
        io.stdout(`${JSON.stringify(explained.result, null, 2)}\n`);
        return;
      }
      const hardware = (spec as { hardware: { profile: string; count?: number } }).hardware;
      io.stdout(
        formatForecast({ name: (spec as { name?: string }).name, profile: hardware.profile, devices: hardware.count ?? 1 }, explained),
      );
    });
}
