import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWith, problemLines } from '@wattprint/protocol';
import { z } from 'zod';

export interface YearlyAverage {
  /** The table entry used, e.g. `US` for region `US-CAL-CISO`. */
  region: string;
  gPerKwh: number;
  year: number;
  source: string;
}

const Table = z.object({
  regions: z
    .record(z.string(), z.strictObject({ gPerKwh: z.number().positive(), year: z.number().int(), source: z.string().min(1) }))
    .refine((r) => 'WORLD' in r, 'expected a WORLD entry'),
});

/**
 * The shipped table, read once. It sits beside the sources (src/carbon/data); the build does not
 * copy JSON into dist (apps/collector/tsconfig.lib.json includes only *.ts), so from dist it is
 * found in src, one level further up.
 */
function loadTable(): Record<string, Omit<YearlyAverage, 'region'>> {
  const candidates = [
    join(__dirname, '..', 'data', 'yearly-average.json'),
    join(__dirname, '..', '..', '..', 'src', 'carbon', 'data', 'yearly-average.json'),
  ];
  const file = candidates.find((f) => existsSync(f));
  if (file === undefined) throw new Error(`yearly-average.json not found; looked in ${candidates.join(', ')}`);
  const parsed = parseWith(Table, JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.ok) throw new Error(`${file} is malformed: ${problemLines(parsed.problems).join('; ')}`);
  return parsed.value.regions;
}

let regions: Record<string, Omit<YearlyAverage, 'region'>> | undefined;

/**
 * The yearly average that stands in for a region's missing hours: the region itself, else its
 * parent zone (the part before the first `-` or `_`, so `US-CAL-CISO` uses `US`), else WORLD.
 */
export function yearlyAverage(region: string | null): YearlyAverage {
  regions ??= loadTable();
  const candidates = region === null ? [] : [region.toUpperCase(), region.toUpperCase().split(/[-_]/)[0]];
  for (const name of [...candidates, 'WORLD']) {
    const entry = regions[name];
    if (entry) return { region: name, ...entry };
  }
  return { region: 'WORLD', ...regions.WORLD };
}
