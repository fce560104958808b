import { Inject, Injectable } from '@nestjs/common';
import { type DatabaseHandle, type IntensityKind, type Row, dayStartOf, markDaysOfHours } from '@wattprint/db';
import { sql } from 'kysely';
import { DATABASE } from '../../database/database.module';
import type { IntensityPeriod } from '@wattprint/carbon';

export interface IntensityRecord {
  region: string;
  periodStart: number;
  periodEnd: number;
  gPerKwh: number;
  kind: IntensityKind;
  source: string;
  revisedAt: number;
}

/** Rows per INSERT: 7 parameters each stays far below PostgreSQL's 65,535 and SQLite's 32,766. */
const UPSERT_CHUNK = 1000;

/** The grid-intensity series: every database access of the intensity domain. */
@Injectable()
export class IntensityRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /**
   * Inserts or replaces periods keyed by (region, kind, periodStart), so a provider's revision
   * replaces the value it revises. All chunks commit together or not at all, with the marks of the
   * days they reprice (daily rollups: every day with energy in their span, whatever its region).
   */
  async upsert(records: readonly IntensityRecord[]): Promise<number> {
    if (records.length === 0) return 0;
    // One statement may not touch a key twice (PostgreSQL refuses): the last record of a key wins.
    const unique = new Map<string, IntensityRecord>();
    for (const r of records) unique.set(`${r.region}\u0000${r.kind}\u0000${r.periodStart}`, r);
    const rows = [...unique.values()].map((r) => ({
      region: r.region,
      period_start: r.periodStart,
      period_end: r.periodEnd,
      g_per_kwh: r.gPerKwh,
      kind: r.kind,
      source: r.source,
      revised_at: r.revisedAt,
    }));
    await this.handle.db.transaction().execute(async (tx) => {
      for (let i = 0; i < rows.length; i += UPSERT_CHUNK) {
        await tx
          .insertInto('grid_intensity')
          .values(rows.slice(i, i + UPSERT_CHUNK))
          .onConflict((oc) =>
            oc.columns(['region', 'kind', 'period_start']).doUpdateSet((eb) => ({
              period_end: eb.ref('excluded.period_end'),
              g_per_kwh: eb.ref('excluded.g_per_kwh'),
              source: eb.ref('excluded.source'),
              revised_at: eb.ref('excluded.revised_at'),
            })),
          )
          .execute();
      }
      // the days with energy these periods price are stale in the daily rollups now
      // a loop, not Math.min(...rows): a caller's array of any length stays within the call stack
      let from = Infinity;
      let to = -Infinity;
      for (const r of rows) {
        from = Math.min(from, r.period_start);
        to = Math.max(to, r.period_end);
      }
      from = dayStartOf(from);
      await markDaysOfHours(tx, sql`SELECT hour_start FROM energy_site_hourly WHERE hour_start >= ${from} AND hour_start < ${to}`);
    });
    return rows.length;
  }

  /** Periods of one region overlapping [from, to), oldest first. */
  async range(region: string, from: number, to: number, kind?: IntensityKind): Promise<IntensityRecord[]> {
    let q = this.handle.db
      .selectFrom('grid_intensity')
      .selectAll()
      .where('region', '=', region)
      .where('period_start', '<', to)
      .where('period_end', '>', from);
    if (kind) q = q.where('kind', '=', kind);
    const rows = await q.orderBy('period_start').orderBy('kind').execute();
    return rows.map((r) => ({ region: r.region, ...periodOf(r) }));
  }

  /** Periods of several regions overlapping [from, to), grouped by region and sorted by start. */
  async periodsByRegion(regions: readonly string[], from: number, to: number): Promise<Map<string, IntensityPeriod[]>> {
    const out = new Map<string, IntensityPeriod[]>(regions.map((r) => [r, []]));
    if (regions.length === 0) return out;
    const rows = await this.handle.db
      .selectFrom('grid_intensity')
      .select(['region', 'period_start', 'period_end', 'g_per_kwh', 'kind', 'source', 'revised_at'])
      .where('region', 'in', [...regions])
      .where('period_start', '<', to)
      .where('period_end', '>', from)
      .orderBy('region')
      .orderBy('period_start')
      .execute();
    for (const r of rows) out.get(r.region)!.push(periodOf(r));
    return out;
  }
}

/** A stored period as the emission-factor rules read it (PostgreSQL bigints arrive as numbers or strings). */
function periodOf(
  r: Pick<Row<'grid_intensity'>, 'period_start' | 'period_end' | 'g_per_kwh' | 'kind' | 'source' | 'revised_at'>,
): IntensityPeriod {
  return {
    periodStart: Number(r.period_start),
    periodEnd: Number(r.period_end),
    gPerKwh: Number(r.g_per_kwh),
    kind: r.kind,
    source: r.source,
    revisedAt: Number(r.revised_at),
  };
}
