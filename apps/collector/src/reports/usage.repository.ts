import { Inject, Injectable } from '@nestjs/common';
import { DAY_MS, JOULES_PER_KWH } from '@wattprint/carbon';
import type { DatabaseHandle } from '@wattprint/db';
import { type RawBuilder, sql } from 'kysely';
import { DATABASE } from '../database/database.module';
import type { SiteHourFactor } from './emission-factors';
import { groupLedgerRows, ledgerRows, placeLedgerRows, readLedgerWindow } from './ledger-source';
import type { UsageGroupBy } from './query.schemas';

export interface UsageFilter {
  groupBy: UsageGroupBy;
  from: number;
  to: number;
  bucket: 'hour' | 'day';
  user?: string;
  team?: string;
  project?: string;
  cluster?: string;
  /** A team viewer's scope: only energy of this team's jobs (so no idle energy). */
  scopeTeam: string | null;
}

/** One row of a usage report as SQL sums it: a group in a period, with its emissions already applied. */
export interface UsageSums {
  key: string | null;
  idle: boolean;
  periodStart: number;
  joules: number;
  idleJoules: number;
  gpuMs: number;
  facilityJoules: number;
  grams: number;
  /** True when some energy of the row was priced with an estimated factor. */
  estimated: boolean;
}

/**
 * The factor table a report joins, as one JSON parameter: a site (or '' for nodes without one), an
 * hour, the PUE, grams per joule of IT energy (PUE × intensity / 3.6e6) and the estimated flag.
 * Sites are few, so a year of them is a few tens of thousands of small rows.
 */
function factorsJson(factors: readonly SiteHourFactor[]): string {
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

/**
 * The coarsest ledger that answers a read (ledger-source.ts): reads by node or site that name no job
 * attribute (nor a team viewer's scope), the rollup by node or by site, a row per node or site and
 * device kind an hour instead of one per device and job; reads by team, user, project or cluster,
 * or by site with such a filter, the rollup by job group, with no job looked up; by node with such a
 * filter, the rows by job.
 */
function grainOf(f: UsageFilter): 'job' | 'node' | 'site' | 'group' {
  const namesAttributes = f.scopeTeam !== null || [f.user, f.team, f.project, f.cluster].some((v) => v !== undefined);
  if (f.groupBy === 'node') return namesAttributes ? 'job' : 'node';
  if (f.groupBy === 'site') return namesAttributes ? 'group' : 'site';
  return 'group';
}

@Injectable()
export class UsageRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** The factors as a table the query joins: PostgreSQL reads the JSON with jsonb_array_elements, SQLite with json_each. */
  private factorTable(json: string): RawBuilder<unknown> {
    return this.handle.dialect === 'postgres'
      ? sql`(SELECT e->>0 AS site, (e->>1)::bigint AS hour, (e->>2)::float8 AS pue, (e->>3)::float8 AS gpj, (e->>4)::int AS est
          FROM jsonb_array_elements(${json}::jsonb) AS e)`
      : sql`(SELECT json_extract(value, '$[0]') AS site, json_extract(value, '$[1]') AS hour, json_extract(value, '$[2]') AS pue,
          json_extract(value, '$[3]') AS gpj, json_extract(value, '$[4]') AS est FROM json_each(${json}))`;
  }

  /**
   * One SQL aggregation over the ledger in [from, to) — whole folded hours from the rollup, the rest
   * from the minutes (ledger-source.ts) — each row priced with its site's factor of its hour, summed
   * by (group, period): the answer leaves the database at the size of the report, not of the ledger.
   * For job attributes (team, user, …) idle energy is a group of its own: it belongs to no job; for
   * node and site it stays in the group and shows as the idle share. Also returns the hours whose
   * energy was priced with an estimated factor.
   */
  async sums(f: UsageFilter, factors: readonly SiteHourFactor[]): Promise<{ rows: UsageSums[]; estimatedHours: number[] }> {
    const byAttribute = f.groupBy !== 'node' && f.groupBy !== 'site';
    const window = await readLedgerWindow(this.handle.db);
    const json = factorsJson(factors);
    const grain = grainOf(f);
    // a job attribute: the group rollup's own column, else the joined job's
    const attr = (column: 'team' | 'user' | 'project' | 'cluster') => sql.ref<string | null>(`${grain === 'group' ? 'b' : 'j'}.${column}`);
    const groupExpr: RawBuilder<string | null> =
      f.groupBy === 'node' ? sql<string>`b.node` : f.groupBy === 'site' ? sql<string | null>`s.id` : sql<string | null>`${attr(f.groupBy)}`;
    const isIdle = grain === 'group' ? sql<boolean>`b.is_idle = 1` : sql<boolean>`b.job_id = ''`;
    const idleExpr = byAttribute ? sql<number>`case when ${isIdle} then 1 else 0 end` : sql<number>`0`;
    const periodExpr = f.bucket === 'hour' ? sql<number>`b.hour_start` : sql<number>`b.hour_start - (b.hour_start % ${sql.lit(DAY_MS)})`;
    const idleJoules =
      grain === 'node' || grain === 'site' ? sql<number>`b.idle_joules` : sql<number>`case when ${isIdle} then b.joules else 0 end`;
    const byNode = (rows: ReturnType<typeof jobRows>) =>
      rows.leftJoin('nodes as n', 'n.name', 'b.node').leftJoin('sites as s', 's.id', 'n.site_id');
    const jobRows = (range: { from: number; to: number }) =>
      this.handle.db.selectFrom(ledgerRows(this.handle.db, window, range).as('b')).leftJoin('jobs as j', 'j.id', 'b.job_id');

    const priced = (range: { from: number; to: number }) => {
      const db = this.handle.db;
      // each grain's rows with their site (s), typed as the job grain's: nothing below names a column
      // they lack (by site no node, by node and site no job, by group neither a node nor a job)
      type Placed = ReturnType<typeof byNode>;
      const placedBy = {
        job: () => byNode(jobRows(range)),
        node: () => byNode(db.selectFrom(placeLedgerRows(db, window, range, 'node').as('b')) as unknown as ReturnType<typeof jobRows>),
        site: () =>
          db
            .selectFrom(placeLedgerRows(db, window, range, 'site').as('b'))
            .leftJoin('sites as s', 's.id', 'b.site_key') as unknown as Placed,
        group: () =>
          db.selectFrom(groupLedgerRows(db, window, range).as('b')).leftJoin('sites as s', 's.id', 'b.site_key') as unknown as Placed,
      };
      const placed = placedBy[grain]();
      let base = placed.innerJoin(this.factorTable(json).as('f'), (join) =>
        join.on(sql`f.site`, '=', sql`coalesce(s.id, '')`).on(sql`f.hour`, '=', sql`b.hour_start`),
      );
      if (f.scopeTeam !== null) base = base.where(attr('team'), '=', f.scopeTeam);
      if (f.user !== undefined) base = base.where(attr('user'), '=', f.user);
      if (f.team !== undefined) base = base.where(attr('team'), '=', f.team);
      if (f.project !== undefined) base = base.where(attr('project'), '=', f.project);
      if (f.cluster !== undefined) base = base.where(attr('cluster'), '=', f.cluster);
      return base;
    };

    const rows = await priced({ from: f.from, to: f.to })
      .select((eb) => [
        groupExpr.as('group_key'),
        idleExpr.as('is_idle'),
        periodExpr.as('period_start'),
        eb.fn.sum<number>('b.joules').as('joules'),
        eb.fn.sum<number>(idleJoules).as('idle_joules'),
        eb.fn.sum<number>(eb.case().when('b.device_kind', '=', 'gpu').then(eb.ref('b.duration_ms')).else(0).end()).as('gpu_ms'),
        eb.fn.sum<number>(sql`b.joules * f.pue`).as('facility_joules'),
        eb.fn.sum<number>(sql`b.joules * f.gpj`).as('grams'),
        eb.fn.max<number>(sql`case when f.est = 1 and b.joules > 0 then 1 else 0 end`).as('estimated'),
      ])
      // A bare constant in GROUP BY would be read as a column position, so the constant idle flag of
      // node and site groupings stays out of it.
      .groupBy(byAttribute ? [groupExpr, idleExpr, periodExpr] : [groupExpr, periodExpr])
      .execute();
    // Which hours were estimated: hourly periods say it themselves; a day that was estimated is read
    // again, alone, for its hours. Nothing is read again when nothing was estimated, the usual case
    // (the pseudo-site of nodes without a site is priced with an estimated default in every hour, so
    // asking the factors alone would read every range twice).
    const estimatedPeriods = [...new Set(rows.filter((r) => Number(r.estimated) === 1).map((r) => Number(r.period_start)))].sort(
      (a, b) => a - b,
    );
    let estimatedHours = estimatedPeriods;
    if (f.bucket === 'day' && estimatedPeriods.length > 0) {
      const range = {
        from: Math.max(f.from, estimatedPeriods[0]),
        to: Math.min(f.to, estimatedPeriods[estimatedPeriods.length - 1] + DAY_MS),
      };
      const hours = await priced(range)
        .select('b.hour_start')
        .distinct()
        .where(sql<boolean>`f.est = 1 and b.joules > 0`)
        .orderBy('b.hour_start')
        .execute();
      estimatedHours = hours.map((r) => Number(r.hour_start));
    }
    return {
      rows: rows.map((r) => ({
        key: r.group_key,
        idle: Number(r.is_idle) === 1,
        periodStart: Number(r.period_start),
        joules: Number(r.joules),
        idleJoules: Number(r.idle_joules),
        gpuMs: Number(r.gpu_ms),
        facilityJoules: Number(r.facility_joules),
        grams: Number(r.grams),
        estimated: Number(r.estimated) === 1,
      })),
      estimatedHours,
    };
  }
}
