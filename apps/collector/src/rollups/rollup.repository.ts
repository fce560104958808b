import { Inject, Injectable } from '@nestjs/common';
import { type DatabaseHandle, foldHours, lockRollups } from '@wattprint/db';
import { DATABASE } from '../database/database.module';
import { HOUR_MS } from '@wattprint/carbon';

/** A stretch of hours folded by one pass. */
export interface FoldedSpan {
  from: number;
  to: number;
}

/**
 * Folding closed hours of energy_buckets into energy_hourly and energy_node_hourly. One pass folds [folded_until, to) in
 * one transaction holding the rollup lock exclusively: commits in flight finish first, so the fold
 * sees all their minutes, and commits after it read the new watermark and add late energy to the
 * folded hours themselves (ingest/ledger/late-hour.repository.ts). Any number of collectors may
 * run passes: they take turns, and a pass that finds nothing due does nothing.
 */
@Injectable()
export class RollupRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** Records that minutes before `cutoff` may be gone, so readers take hours there; it only moves forward. */
  async minutesDroppedBefore(cutoff: number): Promise<void> {
    await this.handle.db
      .updateTable('rollup_state')
      .set({ minutes_from: cutoff })
      .where('id', '=', 1)
      .where((eb) => eb.or([eb('minutes_from', 'is', null), eb('minutes_from', '<', cutoff)]))
      .execute();
  }

  async foldedUntil(): Promise<number | null> {
    const row = await this.handle.db.selectFrom('rollup_state').select('folded_until').where('id', '=', 1).executeTakeFirst();
    return row?.folded_until === null || row?.folded_until === undefined ? null : Number(row.folded_until);
  }

  /**
   * Folds the hours from the watermark (or the oldest bucket's hour) up to `until`, at most
   * `maxHours` of them, skipping stretches with no minutes; returns what it folded, or null when
   * nothing is due.
   */
  async foldOnce(until: number, maxHours: number, now: number): Promise<FoldedSpan | null> {
    return this.handle.db.transaction().execute(async (tx) => {
      await lockRollups(tx, this.handle.dialect, 'exclusive');
      // a write first: on SQLite it takes the write lock before the watermark is read
      await tx.updateTable('rollup_state').set({ folded_at: now }).where('id', '=', 1).execute();
      const state = await tx.selectFrom('rollup_state').select('folded_until').where('id', '=', 1).executeTakeFirstOrThrow();
      const watermark = state.folded_until === null ? null : Number(state.folded_until);
      if (watermark !== null && watermark >= until) return null;
      // the next hour that has minutes, from the watermark on (minute_start too: it prunes partitions)
      let next = tx.selectFrom('energy_buckets').select((eb) => eb.fn.min<number>('hour_start').as('h'));
      if (watermark !== null) next = next.where('minute_start', '>=', watermark);
      const first = (await next.executeTakeFirst())?.h;
      const from = first === null || first === undefined ? until : Math.min(Number(first), until);
      const to = Math.min(until, from + maxHours * HOUR_MS);
      if (to > from) await foldHours(tx, from, to);
      await tx.updateTable('rollup_state').set({ folded_until: to }).where('id', '=', 1).execute();
      return { from: watermark ?? from, to };
    });
  }
}
