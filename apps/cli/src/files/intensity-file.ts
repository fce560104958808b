import type { IntensitySeries } from '@wattprint/estimation';
import { CliInputError } from '../cli-error';
import type { CliIo } from '../io';
import { HOUR_MS } from '@wattprint/carbon';

/**
 * An hourly intensity series from CSV: `timestamp,gCO2eq_per_kWh` a line (a header line is
 * allowed), consecutive whole hours in UTC.
 */
export function parseIntensityCsv(path: string, text: string): IntensitySeries {
  const problems: string[] = [];
  const values: number[] = [];
  let startMs: number | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    const where = `${path}:${i + 1}`;
    if (line === '' || (i === 0 && /[a-z]/i.test(line.split(',')[1] ?? ''))) return;
    const [stamp, value, ...rest] = line.split(',').map((s) => s.trim());
    const t = Date.parse(stamp ?? '');
    const g = Number(value);
    if (rest.length || value === undefined)
      return void problems.push(`${where}: got ${JSON.stringify(line)}; expected "timestamp,gCO2eq_per_kWh"`);
    if (!Number.isFinite(t) || t % HOUR_MS !== 0)
      return void problems.push(`${where}: got ${JSON.stringify(stamp)}; expected an ISO 8601 time on a whole hour`);
    if (value === '' || !Number.isFinite(g) || g < 0)
      return void problems.push(`${where}: got ${JSON.stringify(value)}; expected a non-negative gCO2eq/kWh`);
    if (startMs === undefined) startMs = t;
    const expected = startMs + values.length * HOUR_MS;
    if (t !== expected) return void problems.push(`${where}: got ${stamp}; expected the next hour, ${new Date(expected).toISOString()}`);
    values.push(g);
  });
  if (problems.length === 0 && startMs === undefined)
    problems.push(`${path}: got no rows; expected hourly "timestamp,gCO2eq_per_kWh" lines`);
  if (problems.length) throw new CliInputError(problems);
  return { startMs: startMs as number, gPerKWh: values };
}

/** `--intensity REGION=FILE` options into series by region. */
export function readIntensityOptions(options: readonly string[], io: CliIo): Record<string, IntensitySeries> {
  const byRegion: Record<string, IntensitySeries> = {};
  for (const option of options) {
    const at = option.indexOf('=');
    if (at <= 0) throw new CliInputError([`--intensity: got ${JSON.stringify(option)}; expected REGION=FILE, e.g. DE=de-2026-12.csv`]);
    const path = option.slice(at + 1);
    let text: string;
    try {
      text = io.readFile(path);
    } catch (error) {
      throw new CliInputError([
        `${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a CSV of hourly intensities`,
      ]);
    }
    byRegion[option.slice(0, at)] = parseIntensityCsv(path, text);
  }
  return byRegion;
}
