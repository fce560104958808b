import { Inject, Injectable } from '@nestjs/common';
import { type DatabaseHandle, type JobGroup, lockRollups, markDaysDirty } from '@wattprint/db';
import { sql } from 'kysely';
import { DATABASE } from '../../database/database.module';
import { type BucketRow, type GroupHourRow, groupHourRows, hourRows, nodeHourRows, siteHourRows } from '../bucket-deltas';
import { INGEST_DIALECT, type IngestDialect, type Tx } from './ingest-dialect';

/** Rows a statement of the group upsert carries: 11 parameters each, under SQLite's limit. */
const GROUP_ROWS_PER_STATEMENT = 500;

/**
 * The ingest's side of the hourly rollups: hours the collector has already folded into
 * energy_hourly and the rollups by node, site and job group get a late batch's energy there too, in the same transaction
 * as its minutes, so an hour's rows stay the sum of its minutes however late a batch arrives. Hours not yet folded are
 * left to the fold (rollups/), which is what keeps the hot path to one upsert per minute row.
 */
@Injectable()
export class LateHourRepository {
  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Inject(INGEST_DIALECT) private readonly dialect: IngestDialect,
  ) {}

  /** Taken first in a commit (shared: commits do not wait on one another, a fold waits for them). */
  async lock(tx: Tx): Promise<void> {
    await lockRollups(tx, this.handle.dialect, 'shared');
  }

  /**
   * Adds the rows of folded hours to the four hourly rollups, and marks their days for the daily ones. Called after the commit's
   * first write, so on SQLite the watermark is read under the write lock a fold needs too.
   */
  async addLate(tx: Tx, rows: readonly BucketRow[]): Promise<void> {
    const state = await tx.selectFrom('rollup_state').select('folded_until').where('id', '=', 1).executeTakeFirst();
    const foldedUntil = state?.folded_until === null || state?.folded_until === undefined ? null : Number(state.folded_until);
    if (foldedUntil === null) return;
    const late = hourRows(rows.filter((r) => r.minuteStart < foldedUntil));
    if (late.length === 0) return;
    await this.dialect.upsertHours(tx, late);
    const byNode = nodeHourRows(late);
    await this.dialect.upsertNodeHours(tx, byNode);
    // the nodes' sites as they are now: a move (placeNodes) holds the rollup lock exclusively, this commit shares it
    const nodes = [...new Set(byNode.map((r) => r.node))];
    const sites = await tx.selectFrom('nodes').select(['name', 'site_id']).where('name', 'in', nodes).execute();
    const siteOf = new Map(sites.map((n) => [n.name, n.site_id]));
    await this.dialect.upsertNodeHours(tx, siteHourRows(byNode, siteOf), 'energy_site_hourly');
    await this.upsertGroupHours(tx, groupHourRows(late, siteOf, await this.groupsOf(tx, late)));
    // their days' daily rows are stale now: readers take those days from the hours until derived again
    await markDaysDirty(
      tx,
      late.map((r) => r.hourStart),
    );
  }

  /**
   * The groups of the jobs of some hourly rows, as they are now. On PostgreSQL the rows are read FOR
   * SHARE: a job event changing a job's attributes holds its row until it commits, so this commit
   * either waits for it and adds its energy under the new group, or holds the row first, and then
   * the event, waiting for it, finds the job's hours folded and sums their group rows again under
   * the rollup lock held exclusively (JobEventRepository).
   */
  private async groupsOf(tx: Tx, hours: ReadonlyArray<{ jobId: string }>): Promise<Map<string, JobGroup>> {
    const ids = [...new Set(hours.map((h) => h.jobId))].sort();
    const groups = new Map<string, JobGroup>();
    for (let i = 0; i < ids.length; i += GROUP_ROWS_PER_STATEMENT) {
      let query = tx
        .selectFrom('jobs')
        .select(['id', 'team', 'project', 'user', 'cluster'])
        .where('id', 'in', ids.slice(i, i + GROUP_ROWS_PER_STATEMENT));
      if (this.handle.dialect === 'postgres') query = query.forShare();
      for (const { id, ...group } of await query.execute()) groups.set(id, group);
    }
    return groups;
  }

  private async upsertGroupHours(tx: Tx, rows: readonly GroupHourRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += GROUP_ROWS_PER_STATEMENT) {
      await tx
        .insertInto('energy_group_hourly')
        .values(
          rows.slice(i, i + GROUP_ROWS_PER_STATEMENT).map((r) => ({
            hour_start: r.hourStart,
            site_key: r.siteKey,
            group_key: r.groupKey,
            team: r.team,
            project: r.project,
            user: r.user,
            cluster: r.cluster,
            device_kind: r.deviceKind,
            joules: r.joules,
            samples: r.samples,
            duration_ms: r.durationMs,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['hour_start', 'site_key', 'group_key', 'device_kind']).doUpdateSet({
            joules: sql`energy_group_hourly.joules + excluded.joules`,
            samples: sql`energy_group_hourly.samples + excluded.samples`,
            duration_ms: sql`energy_group_hourly.duration_ms + excluded.duration_ms`,
          }),
        )
        .execute();
    }
  }
}
