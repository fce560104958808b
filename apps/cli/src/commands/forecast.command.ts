import { explainForecast, parseCalibration, SpecError, type CalibrationFile } from '@wattprint/estimation';
import type { Command } from 'commander';
import { CliInputError } from '../cli-error';
import { readIntensityOptions } from '../files/intensity-file';
import { readDocument } from '../files/read-document';
import { formatForecast, type ForecastHeading } from '../format/forecast.format';
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

/** A calibration file with no fit for the spec's profile is not an error, but the person should know. */
export function calibrationWarning(path: string, file: CalibrationFile, profile: string): string | undefined {
  if (file.profiles[profile]) return undefined;
  const has = Object.keys(file.profiles);
  const it = has.length ? `it has ${has.join(', ')}` : 'it has no profile';
  const then = file.pooled
    ? `its pooled fit over ${file.pooled.observations} observations of other profiles is used`
    : 'the forecast is uncalibrated';
  return `wattprint: warning: ${path} has no calibration for ${profile} (${it}); ${then}\n`;
}

function headingOf(spec: unknown, calibrationFile: string | undefined): ForecastHeading {
  const s = spec as { name?: string; hardware: { profile: string; count?: number }; model: { transformer?: { tokensPerSample?: number } } };
  return {
    name: s.name,
    profile: s.hardware.profile,
    devices: s.hardware.count ?? 1,
    transformer: s.model.transformer !== undefined,
    tokensPerSample: s.model.transformer?.tokensPerSample,
    calibrationFile,
  };
}

export function registerForecastCommand(program: Command, io: CliIo): void {
  program
    .command('forecast')
    .description('forecast the energy, CO2eq, duration and device-hours of a run spec (JSON or YAML)')
    .argument('<spec>', 'run spec file, e.g. examples/mnist-dedicated.yaml')
    .option('--calibration <file>', 'calibration file written by `wattprint calibrate -o`')
    .option(
      '--intensity <region=file>',
      'hourly intensity CSV (timestamp,gCO2eq_per_kWh) for site.region; repeatable',
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--json', 'print the Result of docs/spec-format.md as JSON')
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
      if (calibration && options.calibration) {
        const warning = calibrationWarning(options.calibration, calibration, explained.result.calibration.profile);
        if (warning) io.stderr(warning);
      }
      if (options.json) {
        io.stdout(`${JSON.stringify(explained.result, null, 2)}\n`);
        return;
      }
      io.stdout(formatForecast(headingOf(spec, options.calibration), explained));
    });
}
