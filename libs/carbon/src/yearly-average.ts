import { z } from 'zod';
import table from './data/yearly-average.json';

export interface YearlyAverage {
  /** The table entry used, e.g. `US` for region `US-CAL-CISO`. */
  region: string;
  gPerKwh: number;
  year: number;
  source: string;
}

const Entry = z.strictObject({ gPerKwh: z.number().positive(), year: z.number().int(), source: z.string().min(1) });

/** The table's shape: region codes (upper case) to their yearly figure, WORLD the last fallback. */
export const YearlyAverageTable = z.object({
  regions: z.record(z.string().regex(/^[A-Z0-9_-]{1,64}$/, 'expected an upper-case region code'), Entry).refine((r) => 'WORLD' in r, {
    message: 'expected a WORLD entry',
  }),
});
export type YearlyAverageTable = z.infer<typeof YearlyAverageTable>;

let regions: YearlyAverageTable['regions'] | undefined;

/**
 * The shipped table (src/data/yearly-average.json), checked once on first use: a malformed edit fails
 * the first report loudly instead of pricing hours with undefined.
 */
export function yearlyAverageTable(): YearlyAverageTable['regions'] {
  if (regions === undefined) {
    const parsed = YearlyAverageTable.safeParse(table);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`libs/carbon/src/data/yearly-average.json is malformed: ${issue.path.join('.')}: ${issue.message}`);
    }
    regions = parsed.data.regions;
  }
  return regions;
}

/**
 * The yearly average that stands in for a region's missing hours: the region itself, else its
 * parent zone (the part before the first `-` or `_`, so `US-CAL-CISO` uses `US`), else WORLD.
 */
export function yearlyAverage(region: string | null): YearlyAverage {
  const table = yearlyAverageTable();
  const candidates = region === null ? [] : [region.toUpperCase(), region.toUpperCase().split(/[-_]/)[0]];
  for (const name of [...candidates, 'WORLD']) {
    const entry = table[name];
    if (entry) return { region: name, ...entry };
  }
  return { region: 'WORLD', ...table.WORLD };
}
