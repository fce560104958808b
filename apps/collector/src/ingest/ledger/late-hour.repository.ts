import { Inject, Injectable } from '@nestjs/common';
import { type DatabaseHandle, lockRollups } from '@wattprint/db';
import { DATABASE } from '../../database/database.module';
import { type BucketRow, hourRows, nodeHourRows, siteHourRows } from '../bucket-deltas';
import { INGEST_DIALECT, type IngestDialect, type Tx } from './ingest-dialect';

/**
 * The ingest's side of the hourly rollups: hours the collector has already folded into
 * energy_hourly, energy_node_hourly and energy_site_hourly get a late batch's energy there too, in the same transaction
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
   * Adds the rows of folded hours to the three hourly rollups. Called after the commit's
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
    await this.dialect.upsertNodeHours(tx, siteHourRows(byNode, new Map(sites.map((n) => [n.name, n.site_id]))), 'energy_site_hourly');
  }
}
