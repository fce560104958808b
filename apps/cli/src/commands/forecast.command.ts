import { explainForecast, parseCalibration, SpecError, type CalibrationFile } from '@wattprint/estimation';
import type { Command } from 'commander';
import { CliInputError } from '../cli-error';
import {
  type CollectorOptions,
  collectorOptions,
  collectorRequest,
  collectorTarget,
  messageOf,
  refusedToken,
} from '../collector/collector-http';
import { readIntensityOptions } from '../files/intensity-file';
import { readDocument } from '../files/read-document';
import { formatForecast, type ForecastHeading } from '../format/forecast.format';
import type { CliIo } from '../io';

interface ForecastOptions extends CollectorOptions {
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

/**
 * The collector's calibration from its ledger (GET /api/v1/calibration), for `--url`/`--token`: the same
 * calibration file `wattprint calibrate` writes, fitted from the jobs the cluster measured.
 */
async function fetchCalibration(options: ForecastOptions, io: CliIo): Promise<{ file: CalibrationFile; label: string }> {
  const { url, token, timeoutMs } = collectorTarget(options, process.env, (path) => io.readFile(path));
  if (!token) throw new CliInputError(['--url: given without a token; expected --token, --token-file or WATTPRINT_TOKEN as well']);
  const answer = await collectorRequest({ url, token, timeoutMs }, 'GET', '/api/v1/calibration');
  const refused = refusedToken(answer, 'an admin or viewer token');
  if (refused) throw refused;
  if (answer.status !== 200) throw new CliInputError([`the collector answered ${answer.status} to the calibration: ${messageOf(answer)}`]);
  const body = answer.body as { calibration?: unknown } | undefined;
  try {
    return { file: parseCalibration(body?.calibration), label: `${url} (calibration from the ledger)` };
  } catch (error) {
    if (error instanceof SpecError)
      throw new CliInputError([
        `the collector at ${url} answered with a calibration this CLI cannot read (${error.problems[0]?.path}: ${error.problems[0]?.message})`,
      ]);
    throw error;
  }
}

export function registerForecastCommand(program: Command, io: CliIo): void {
  const command = program
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
    .option('--json', 'print the Result of docs/spec-format.md as JSON');
  collectorOptions(command, 'API token: with --url, use the collector’s calibration from its ledger').action(
    async (specPath: string, options: ForecastOptions) => {
      const spec = readDocument(specPath, io);
      const remote = options.url !== undefined || options.token !== undefined || options.tokenFile !== undefined;
      if (remote && options.calibration)
        throw new CliInputError(['--calibration and --url/--token: got both; expected one (a calibration file, or the collector’s)']);
      const fetched = remote ? await fetchCalibration(options, io) : undefined;
      const calibrationLabel = fetched?.label ?? options.calibration;
      const calibration = fetched?.file ?? (options.calibration ? readCalibrationFile(options.calibration, io) : undefined);
      const intensity = readIntensityOptions(options.intensity, io);
      let explained;
      try {
        explained = explainForecast(spec, { calibration, intensity });
      } catch (error) {
        return inFile(specPath, error);
      }
      if (calibration && calibrationLabel) {
        const warning = calibrationWarning(calibrationLabel, calibration, explained.result.calibration.profile);
        if (warning) io.stderr(warning);
      }
      if (options.json) {
        io.stdout(`${JSON.stringify(explained.result, null, 2)}\n`);
        return;
      }
      io.stdout(formatForecast(headingOf(spec, calibrationLabel), explained));
    },
  );
}
