import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DAY_MS, HOUR_MS, yearlyAverageTable } from '@wattprint/carbon';
import { type DatabaseHandle, jobIdsOf, lockJobTotals, markDaysOfHours, refreshJobTotals } from '@wattprint/db';
import { sql } from 'kysely';
import { DATABASE } from '../../database/database.module';
import { factorTable } from '../factor-table';

/**
 * What the daily rows were priced under besides the database's own rows (sites, PUE schedules,
 * intensity periods, all marking the days they change): the shipped yearly averages that price
 * uncovered hours, and the version of the pricing code. A collector that finds other rules recorded
 * marks every day. Bump the version with any change to how a factor is resolved or applied.
 */
const DAILY_RULES_VERSION = 1;
export function dailyRules(): string {
  return createHash('sha256')
    .update(JSON.stringify({ version: DAILY_RULES_VERSION, yearly: yearlyAverageTable() }))
    .digest('hex')
    .slice(0, 16);
}

/** A day marked in daily_dirty, with the version of its mark. */
export interface MarkedDay {
  dayStart: number;
  version: number;
}

/** Energy priced with an estimated factor, for the dashboards' share of it. */
const ESTIMATED_JOULES = sql`CASE WHEN f.est = 1 THEN h.joules ELSE 0 END`;

/** Bit h of a day row's estimated_hours: hour h of the day had energy priced with an estimated factor. */
const ESTIMATED_BIT = (dayStart: number) =>
  sql`CASE WHEN f.est = 1 AND h.joules > 0 THEN CAST(1 AS integer) << CAST((h.hour_start - ${dayStart}) / ${HOUR_MS} AS integer) ELSE 0 END`;

/**
 * Deriving the daily rollups (energy_group_daily, energy_node_daily, energy_job_daily) from the hourly ones, a day at
 * a time, each hour priced with its site's factor exactly as a report prices it (factor-table.ts).
 */
@Injectable()
export class DailyRollupRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** Marked days whose hours are all folded, newest first (the days people read most). */
  async markedDays(limit: number): Promise<MarkedDay[]> {
    const rows = await this.handle.db
      .selectFrom('daily_dirty')
      .innerJoin('rollup_state', (join) => join.on('rollup_state.id', '=', 1))
      .select(['daily_dirty.day_start', 'daily_dirty.version'])
      .where(sql<boolean>`daily_dirty.day_start + ${DAY_MS} <= rollup_state.folded_until`)
      .orderBy('daily_dirty.day_start', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ dayStart: Number(r.day_start), version: Number(r.version) }));
  }

  /** Days marked in all, folded or not. */
  async markedCount(): Promise<number> {
    const row = await this.handle.db
      .selectFrom('daily_dirty')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Marks every day with energy when the rules the daily rows were priced under are not `rules`,
   * and records `rules`; true when it did.
   */
  async adoptRules(rules: string): Promise<boolean> {
    // read first, so a pass with the rules unchanged (nearly every pass) writes nothing
    const recorded = await this.handle.db.selectFrom('rollup_state').select('daily_rules').where('id', '=', 1).executeTakeFirst();
    if (recorded === undefined || recorded.daily_rules === rules) return false;
    return this.handle.db.transaction().execute(async (tx) => {
      // a write first: on SQLite it takes the write lock before the rules are read
      await tx
        .updateTable('rollup_state')
        .set({ daily_rules: sql`daily_rules` })
        .where('id', '=', 1)
        .execute();
      const state = await tx.selectFrom('rollup_state').select('daily_rules').where('id', '=', 1).executeTakeFirst();
      if (state === undefined || state.daily_rules === rules) return false;
      await markDaysOfHours(tx, sql`SELECT hour_start FROM energy_node_hourly`);
      await tx.updateTable('rollup_state').set({ daily_rules: rules }).where('id', '=', 1).execute();
      return true;
    });
  }

  /**
   * Derives the daily rows of `day` from its hours, priced with `factorsJson` (every site's factors
   * over the day, read after `day.version` was), and clears the mark if it still has that version.
   * A day marked again meanwhile is left as it is for a later pass: its factors or hours may be
   * newer than what was read. Returns whether the mark was cleared.
   */
  async derive(day: MarkedDay, factorsJson: string): Promise<boolean> {
    const d = day.dayStart;
    return this.handle.db.transaction().execute(async (tx) => {
      // PostgreSQL: hold the mark, so a change to the day waits to mark it again until this commits;
      // SQLite: a write first takes the write lock, so nothing changes the day meanwhile
      const held =
        this.handle.dialect === 'postgres'
          ? await tx.selectFrom('daily_dirty').select('version').where('day_start', '=', d).forUpdate().executeTakeFirst()
          : await tx
              .updateTable('daily_dirty')
              .set({ version: sql`version` })
              .where('day_start', '=', d)
              .returning('version')
              .executeTakeFirst();
      if (held === undefined || Number(held.version) !== day.version) return false;
      const factors = factorTable(this.handle.dialect, factorsJson);
      await lockJobTotals(tx, this.handle.dialect);
      // the jobs of the day before and after: the totals of each are summed again below
      const before = await tx.selectFrom('energy_job_daily').select('job_id').where('day_start', '=', d).execute();
      await tx.deleteFrom('energy_group_daily').where('day_start', '=', d).execute();
      await tx.deleteFrom('energy_node_daily').where('day_start', '=', d).execute();
      await tx.deleteFrom('energy_job_daily').where('day_start', '=', d).execute();
      await sql`INSERT INTO energy_group_daily (day_start, site_key, group_key, team, project, "user", cluster, device_kind,
          joules, duration_ms, facility_joules, grams, estimated_joules, estimated_hours)
        SELECT CAST(${d} AS bigint), h.site_key, h.group_key, MAX(h.team), MAX(h.project), MAX(h."user"), MAX(h.cluster), h.device_kind,
          SUM(h.joules), SUM(h.duration_ms), SUM(h.joules * f.pue), SUM(h.joules * f.gpj), SUM(${ESTIMATED_JOULES}), SUM(${ESTIMATED_BIT(d)})
        FROM energy_group_hourly h
        LEFT JOIN sites s ON s.id = h.site_key
        JOIN ${factors} f ON f.site = COALESCE(s.id, '') AND f.hour = h.hour_start
        WHERE h.hour_start >= ${d} AND h.hour_start < ${d + DAY_MS}
        GROUP BY h.site_key, h.group_key, h.device_kind`.execute(tx);
      await sql`INSERT INTO energy_node_daily (day_start, node, device_kind, site_key,
          joules, idle_joules, duration_ms, facility_joules, grams, estimated_joules, estimated_hours)
        SELECT CAST(${d} AS bigint), h.node, h.device_kind, COALESCE(s.id, ''),
          SUM(h.joules), SUM(h.idle_joules), SUM(h.duration_ms), SUM(h.joules * f.pue), SUM(h.joules * f.gpj), SUM(${ESTIMATED_JOULES}), SUM(${ESTIMATED_BIT(d)})
        FROM energy_node_hourly h
        LEFT JOIN nodes n ON n.name = h.node
        LEFT JOIN sites s ON s.id = n.site_id
        JOIN ${factors} f ON f.site = COALESCE(s.id, '') AND f.hour = h.hour_start
        WHERE h.hour_start >= ${d} AND h.hour_start < ${d + DAY_MS}
        GROUP BY h.node, h.device_kind, COALESCE(s.id, '')`.execute(tx);
      await sql`INSERT INTO energy_job_daily (day_start, job_id, site_key, team, project, joules, gpu_ms, facility_joules, grams)
        SELECT CAST(${d} AS bigint), h.job_id, COALESCE(s.id, ''), MAX(j.team), MAX(j.project), SUM(h.joules),
          SUM(CASE WHEN h.device_kind = 'gpu' THEN h.duration_ms ELSE 0 END), SUM(h.joules * f.pue), SUM(h.joules * f.gpj)
        FROM energy_hourly h
        LEFT JOIN jobs j ON j.id = h.job_id
        LEFT JOIN nodes n ON n.name = h.node
        LEFT JOIN sites s ON s.id = n.site_id
        JOIN ${factors} f ON f.site = COALESCE(s.id, '') AND f.hour = h.hour_start
        WHERE h.hour_start >= ${d} AND h.hour_start < ${d + DAY_MS}
        GROUP BY h.job_id, COALESCE(s.id, '')`.execute(tx);
      await refreshJobTotals(
        tx,
        sql`SELECT job_id FROM energy_job_daily WHERE day_start = ${d} UNION ${jobIdsOf(this.handle.dialect, before)}`,
      );
      await tx.deleteFrom('daily_dirty').where('day_start', '=', d).where('version', '=', day.version).execute();
      return true;
    });
  }
}
