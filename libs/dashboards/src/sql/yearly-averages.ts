import { yearlyAverageTable } from '@wattprint/carbon';

/**
 * The yearly averages that stand in for hours no intensity series covers. They live in libs/carbon's
 * table (the one the collector prices with), not in the database, so the generator embeds them in each
 * query as a VALUES list; the drift test fails when the table changes and the checked-in dashboards
 * were not regenerated.
 */
export type YearlyAverages = ReadonlyMap<string, number>;

export class YearlyAveragesError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`yearly averages: ${field} is ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'YearlyAveragesError';
  }
}

const REGION = /^[A-Z0-9_-]{1,64}$/;

/** Reads libs/carbon's table shape `{ regions: { CODE: { gPerKwh, … } } }`; WORLD must be present. */
export function parseYearlyAverages(json: unknown): YearlyAverages {
  const regions = (json as { regions?: unknown } | null)?.regions;
  if (typeof regions !== 'object' || regions === null || Array.isArray(regions)) {
    throw new YearlyAveragesError('regions', regions, 'an object of region code → { gPerKwh }');
  }
  const out = new Map<string, number>();
  for (const [code, entry] of Object.entries(regions)) {
    // Codes go into SQL literals: only plain upper-case codes are accepted, so no quoting is needed.
    if (!REGION.test(code)) throw new YearlyAveragesError('regions key', code, 'an upper-case region code of letters, digits, _ or -');
    const g = (entry as { gPerKwh?: unknown } | null)?.gPerKwh;
    if (typeof g !== 'number' || !Number.isFinite(g) || g <= 0) {
      throw new YearlyAveragesError(`regions.${code}.gPerKwh`, g, 'a positive number of gCO2eq/kWh');
    }
    out.set(code, g);
  }
  if (!out.has('WORLD')) throw new YearlyAveragesError('regions.WORLD', undefined, 'a WORLD entry, the last fallback');
  return out;
}

/** The table shipped in libs/carbon, as the generator embeds it. */
export function shippedYearlyAverages(): YearlyAverages {
  return parseYearlyAverages({ regions: yearlyAverageTable() });
}
