import { Inject, Injectable } from '@nestjs/common';
import { DAY_MS, HOUR_MS } from '@wattprint/carbon';
import type { Database, DatabaseHandle } from '@wattprint/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { DATABASE } from '../database/database.module';
import type { SiteHourFactor } from './emission-factors';
import { factorTable, factorsJson } from './factor-table';
import {
  type LedgerWindow,
  groupLedgerRows,
  ledgerRows,
  placeLedgerRows,
  readLedgerEnd,
  readLedgerWindow,
  splitDays,
} from './ledger-source';
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

/** The factors of every site over the hours of [from, to) (EmissionFactors.siteHourFactors). */
export type FactorsFor = (from: number, to: number) => Promise<readonly SiteHourFactor[]>;

/** A report's rows and the hours it priced with an estimated factor. */
export interface UsageAnswer {
  rows: UsageSums[];
  estimatedHours: number[];
}

/** A row as the database returns it (PostgreSQL sums come back as strings). */
interface SumsRow {
  group_key: string | null;
  is_idle: number | string;
  period_start: number | string;
  joules: number | string;
  idle_joules: number | string;
  gpu_ms: number | string;
  facility_joules: number | string;
  grams: number | string;
  estimated: number | string;
}

function sumsOf(r: SumsRow): UsageSums {
  return {
    key: r.group_key,
    idle: Number(r.is_idle) === 1,
    periodStart: Number(r.period_start),
    joules: Number(r.joules),
    idleJoules: Number(r.idle_joules),
    gpuMs: Number(r.gpu_ms),
    facilityJoules: Number(r.facility_joules),
    grams: Number(r.grams),
    estimated: Number(r.estimated) === 1,
  };
}

/**
 * Answers of disjoint stretches of one read, as one: rows of the same group and period summed, in the
 * order first seen. Two stretches meet only in the periods both have rows in (a day cut by a
 * stretch's edge), so only those rows are keyed and looked up; the rest pass through as they are (a
 * year by user and day is 73,000 rows, all but a day's of them in the daily rollups' stretch alone;
 * tools/bench/usage-order.mjs: 4.5-5.8 times as fast as keying every row).
 */
export function mergeAnswers(parts: readonly UsageAnswer[]): UsageAnswer {
  const seenIn = new Map<number, number>();
  parts.forEach((part, i) => {
    for (const row of part.rows) if (seenIn.get(row.periodStart) !== i) seenIn.set(row.periodStart, seenIn.has(row.periodStart) ? -1 : i);
  });
  const rows: UsageSums[] = [];
  const shared = new Map<string, UsageSums>();
  for (const part of parts)
    for (const row of part.rows) {
      if (seenIn.get(row.periodStart) !== -1) {
        rows.push(row);
        continue;
      }
      // the key last, so a group named with the separator cannot collide; null apart from ''
      const key = `${row.periodStart}/${row.idle ? 1 : 0}/${row.key === null ? '' : `:${row.key}`}`;
      const seen = shared.get(key);
      if (seen === undefined) {
        const copy = { ...row };
        shared.set(key, copy);
        rows.push(copy);
        continue;
      }
      seen.joules += row.joules;
      seen.idleJoules += row.idleJoules;
      seen.gpuMs += row.gpuMs;
      seen.facilityJoules += row.facilityJoules;
      seen.grams += row.grams;
      seen.estimated ||= row.estimated;
    }
  const hours = [...new Set(parts.flatMap((p) => p.estimatedHours))].sort((a, b) => a - b);
  return { rows, estimatedHours: hours };
}

/**
 * Stretches a read by day leaves to the hours at most (its two edges and the runs of marked days):
 * more, and the whole read goes to the hours in one query, as it would with no daily rollups.
 */
const MAX_STRETCHES = 8;

@Injectable()
export class UsageRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /**
   * One SQL aggregation over the ledger in [from, to) — whole folded hours from the rollup, the rest
   * from the minutes (ledger-source.ts) — each row priced with its site's factor of its hour, summed
   * by (group, period): the answer leaves the database at the size of the report, not of the ledger.
   * For job attributes (team, user, …) idle energy is a group of its own: it belongs to no job; for
   * node and site it stays in the group and shows as the idle share. Also returns the hours whose
   * energy was priced with an estimated factor.
   */
  async sums(f: UsageFilter, factorsFor: FactorsFor): Promise<UsageAnswer> {
    const grain = grainOf(f);
    const whole = { from: f.from, to: f.to };
    if (f.bucket !== 'day' || (grain !== 'group' && grain !== 'node'))
      return this.hourlySums(this.handle.db, await readLedgerWindow(this.handle.db), f, factorsJson(await factorsFor(f.from, f.to)));
    // By day: whole days from the daily rollups where they are current, in one snapshot with the
    // marks that say where they are not, so a change lands in a read whole or not at all. Only the
    // stretches read from the hours need factors (a year's are 26,000 site-hours to resolve), and
    // they are resolved outside the snapshot (on SQLite its one connection is the snapshot's): a
    // first look finds the stretches, the second reads with their factors, and should the marks
    // have changed between the two, a third; after that the whole range is read from the hours.
    const priced = new Map<string, string>();
    const keyOf = (s: { from: number; to: number }) => `${s.from}-${s.to}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const unpriced: Array<{ from: number; to: number }> = [];
      const answer = await this.inOneSnapshot(async (db) => {
        const window = await readLedgerWindow(db);
        const marks = await db
          .selectFrom('daily_dirty')
          .select('day_start')
          .where('day_start', '>=', f.from - DAY_MS)
          .where('day_start', '<', f.to)
          .execute();
        const split = splitDays(f.from, f.to, window, new Set(marks.map((m) => Number(m.day_start))));
        const fromDays = split.days.length > 0 && split.rest.length <= MAX_STRETCHES;
        // no stretch past the ledger's end: a quarter's budget read its weeks to come from the hours,
        // with their factors (docs/scale.md)
        const end = await readLedgerEnd(db, window);
        const stretches = (fromDays ? split.rest : [whole])
          .map((s) => ({ from: s.from, to: Math.min(s.to, end) }))
          .filter((s) => s.to > s.from);
        unpriced.push(...stretches.filter((s) => !priced.has(keyOf(s))));
        if (unpriced.length > 0) return null;
        const parts = fromDays ? [await this.dailySums(db, f, grain, split.days)] : [];
        for (const s of stretches) parts.push(await this.hourlySums(db, window, { ...f, ...s }, priced.get(keyOf(s))!));
        return mergeAnswers(parts);
      });
      if (answer !== null) return answer;
      for (const s of unpriced) priced.set(keyOf(s), factorsJson(await factorsFor(s.from, s.to)));
    }
    return this.hourlySums(this.handle.db, await readLedgerWindow(this.handle.db), f, factorsJson(await factorsFor(f.from, f.to)));
  }

  private inOneSnapshot<T>(read: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const tx = this.handle.db.transaction();
    return (this.handle.dialect === 'postgres' ? tx.setIsolationLevel('repeatable read') : tx).execute(read);
  }

  /**
   * Whole days from the daily rollups (energy_group_daily, energy_node_daily), their emissions
   * applied when derived: a row per group and day where the hours have 24. The hours priced with an
   * estimated factor come from each row's bits.
   */
  private async dailySums(
    db: Kysely<Database>,
    f: UsageFilter,
    grain: 'group' | 'node',
    days: ReadonlyArray<{ from: number; to: number }>,
  ): Promise<UsageAnswer> {
    const byAttribute = f.groupBy !== 'node' && f.groupBy !== 'site';
    const where = [
      sql`(${sql.join(
        days.map((d) => sql`(b.day_start >= ${d.from} AND b.day_start < ${d.to})`),
        sql` OR `,
      )})`,
    ];
    const filters: Array<['team' | 'user' | 'project' | 'cluster', string | null | undefined]> = [
      ['team', f.scopeTeam],
      ['user', f.user],
      ['team', f.team],
      ['project', f.project],
      ['cluster', f.cluster],
    ];
    for (const [column, value] of filters) if (value !== undefined && value !== null) where.push(sql`${sql.ref(`b.${column}`)} = ${value}`);
    const from = grain === 'group' ? sql`energy_group_daily b LEFT JOIN sites s ON s.id = b.site_key` : sql`energy_node_daily b`;
    const groupExpr = f.groupBy === 'node' ? sql`b.node` : f.groupBy === 'site' ? sql`s.id` : sql.ref(`b.${f.groupBy}`);
    const isIdle = sql`b.group_key = ''`;
    const idleExpr = byAttribute ? sql`CASE WHEN ${isIdle} THEN 1 ELSE 0 END` : sql`0`;
    const idleJoules = grain === 'node' ? sql`b.idle_joules` : sql`CASE WHEN ${isIdle} THEN b.joules ELSE 0 END`;
    const rows = await sql<SumsRow>`SELECT ${groupExpr} AS group_key, ${idleExpr} AS is_idle, b.day_start AS period_start,
        SUM(b.joules) AS joules, SUM(${idleJoules}) AS idle_joules,
        SUM(CASE WHEN b.device_kind = 'gpu' THEN b.duration_ms ELSE 0 END) AS gpu_ms,
        SUM(b.facility_joules) AS facility_joules, SUM(b.grams) AS grams,
        MAX(CASE WHEN b.estimated_hours <> 0 THEN 1 ELSE 0 END) AS estimated
      FROM ${from} WHERE ${sql.join(where, sql` AND `)}
      GROUP BY ${sql.join(byAttribute ? [groupExpr, idleExpr, sql`b.day_start`] : [groupExpr, sql`b.day_start`])}`.execute(db);
    // the hours of the estimated days, read only when a row says there are some (the usual case is
    // none, and the read scans the range's daily rows again: 14-23 ms of a year's)
    const estimated = rows.rows.some((r) => Number(r.estimated) === 1)
      ? await sql<{ day_start: number; estimated_hours: number }>`SELECT DISTINCT b.day_start, b.estimated_hours
      FROM ${from} WHERE ${sql.join(where, sql` AND `)} AND b.estimated_hours <> 0`.execute(db)
      : { rows: [] };
    const estimatedHours = estimated.rows.flatMap((r) =>
      Array.from({ length: 24 }, (_, h) => h)
        .filter((h) => (Number(r.estimated_hours) & (1 << h)) !== 0)
        .map((h) => Number(r.day_start) + h * HOUR_MS),
    );
    return { rows: rows.rows.map(sumsOf), estimatedHours: [...new Set(estimatedHours)].sort((a, b) => a - b) };
  }

  /**
   * The read from the hours and minutes alone (ledger-source.ts): whole folded hours from the
   * rollups, the rest from the minutes.
   */
  private async hourlySums(db: Kysely<Database>, window: LedgerWindow, f: UsageFilter, json: string): Promise<UsageAnswer> {
    const byAttribute = f.groupBy !== 'node' && f.groupBy !== 'site';
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
      db.selectFrom(ledgerRows(db, window, range).as('b')).leftJoin('jobs as j', 'j.id', 'b.job_id');

    const priced = (range: { from: number; to: number }) => {
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
      let base = placed.innerJoin(factorTable(this.handle.dialect, json).as('f'), (join) =>
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
    return { rows: rows.map(sumsOf), estimatedHours };
  }
}
