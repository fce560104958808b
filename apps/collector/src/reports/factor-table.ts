import { JOULES_PER_KWH } from '@wattprint/carbon';
import type { DialectName } from '@wattprint/db';
import { type RawBuilder, sql } from 'kysely';
import type { SiteHourFactor } from './emission-factors';

/**
 * The factor table a report (or a day's derivation) joins, as one JSON parameter: a site (or '' for
 * nodes without one), an hour, the PUE, grams per joule of IT energy (PUE × intensity / 3.6e6) and
 * the estimated flag. Sites are few, so a year of them is a few tens of thousands of small rows.
 */
export function factorsJson(factors: readonly SiteHourFactor[]): string {
  return JSON.stringify(
    factors.map((f) => [
      f.siteId ?? '',
      f.hourStart,
      f.factor.pue,
      (f.factor.pue * f.factor.gPerKwh) / JOULES_PER_KWH,
      f.factor.estimated ? 1 : 0,
    ]),
  );
}

/** The factors as a table with columns site, hour, pue, gpj, est: PostgreSQL reads the JSON with jsonb_array_elements, SQLite with json_each. */
export function factorTable(dialect: DialectName, json: string): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql`(SELECT e->>0 AS site, (e->>1)::bigint AS hour, (e->>2)::float8 AS pue, (e->>3)::float8 AS gpj, (e->>4)::int AS est
          FROM jsonb_array_elements(${json}::jsonb) AS e)`
    : sql`(SELECT json_extract(value, '$[0]') AS site, json_extract(value, '$[1]') AS hour, json_extract(value, '$[2]') AS pue,
          json_extract(value, '$[3]') AS gpj, json_extract(value, '$[4]') AS est FROM json_each(${json}))`;
}
