import { Inject, Injectable } from '@nestjs/common';
import {
  BUCKETS_DEFAULT_PARTITION,
  type DatabaseHandle,
  dayStartOf,
  dropBucketPartitionsBefore,
  ensureBucketPartition,
  jobIdsOf,
  lockJobTotals,
  markDaysDirty,
  monthsBetween,
  refreshJobTotals,
} from '@wattprint/db';
import { sql } from 'kysely';
import { DATABASE } from '../database/database.module';

/** Rows one delete statement removes: short transactions, so ingest commits slip in between. */
export const DELETE_CHUNK_ROWS = 5_000;
/** Jobs whose totals one transaction sums again after their oldest days are retired. */
const JOB_TOTALS_CHUNK = 1_000;

/** The daily rollups, retired with the hours they sum. */
export const DAILY_TABLES = ['energy_group_daily', 'energy_node_daily', 'energy_job_daily'] as const;
export type DailyTable = (typeof DAILY_TABLES)[number];

const yieldToIngest = () => new Promise((resolve) => setTimeout(resolve, 5));

/**
 * Dropping what is past retention. PostgreSQL drops whole monthly partitions of energy_buckets and
 * deletes from the default partition in chunks; SQLite deletes in chunks. Hourly rows and batch
 * keys are deleted in chunks on both.
 */
@Injectable()
export class RetentionRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** PostgreSQL: makes sure the monthly partitions of [from, to) exist. Returns the ones created. */
  async ensurePartitions(from: number, to: number): Promise<string[]> {
    if (this.handle.dialect !== 'postgres') return [];
    const created: string[] = [];
    for (const month of monthsBetween(from, to)) if (await ensureBucketPartition(this.handle.db, month)) created.push(month.name);
    return created;
  }

  /** Removes minute buckets before `cutoff`; returns the partitions dropped and the rows deleted. */
  async dropMinutesBefore(cutoff: number): Promise<{ partitions: string[]; rows: number }> {
    if (this.handle.dialect === 'postgres') {
      const partitions = await dropBucketPartitionsBefore(this.handle.db, cutoff);
      const rows = await this.deleteInChunks(
        (limit) => sql`DELETE FROM ${sql.id(BUCKETS_DEFAULT_PARTITION)} WHERE ctid IN
          (SELECT ctid FROM ${sql.id(BUCKETS_DEFAULT_PARTITION)} WHERE minute_start < ${cutoff} LIMIT ${limit})`,
      );
      return { partitions, rows };
    }
    const rows = await this.deleteInChunks(
      (limit) =>
        sql`DELETE FROM energy_buckets WHERE rowid IN (SELECT rowid FROM energy_buckets WHERE minute_start < ${cutoff} LIMIT ${limit})`,
    );
    return { partitions: [], rows };
  }

  /** Removes the rows of `table` (an hourly rollup) before `cutoff`; returns the rows deleted. */
  async deleteHoursBefore(
    table: 'energy_hourly' | 'energy_node_hourly' | 'energy_site_hourly' | 'energy_group_hourly',
    cutoff: number,
  ): Promise<number> {
    const key = this.handle.dialect === 'postgres' ? sql`ctid` : sql`rowid`;
    const t = sql.table(table);
    return this.deleteInChunks(
      (limit) => sql`DELETE FROM ${t} WHERE ${key} IN (SELECT ${key} FROM ${t} WHERE hour_start < ${cutoff} LIMIT ${limit})`,
    );
  }

  /**
   * Before the hours before `cutoff` go: marks the day `cutoff` falls in (its daily rows would still
   * count the hours going), then removes the daily rows of the days wholly before it; returns the rows
   * deleted from each daily rollup.
   */
  async retireDaysBefore(cutoff: number): Promise<Record<DailyTable, number>> {
    await markDaysDirty(this.handle.db, [cutoff]);
    const key = this.handle.dialect === 'postgres' ? sql`ctid` : sql`rowid`;
    const firstKept = dayStartOf(cutoff);
    const deleted = {} as Record<DailyTable, number>;
    for (const table of DAILY_TABLES) {
      const t = sql.table(table);
      deleted[table] = await this.deleteInChunks(
        (limit) => sql`DELETE FROM ${t} WHERE ${key} IN (SELECT ${key} FROM ${t} WHERE day_start < ${firstKept} LIMIT ${limit})`,
      );
    }
    await this.sumJobTotalsFrom(firstKept);
    return deleted;
  }

  /**
   * Sums again, a chunk of jobs a transaction in job order, the totals of the jobs with days before
   * `firstKept` (energy_job_total): from the days kept, or none. In job order, so the walk ends even
   * if a pass derives an old day meanwhile.
   */
  private async sumJobTotalsFrom(firstKept: number): Promise<void> {
    let after = '';
    for (;;) {
      const last = await this.handle.db.transaction().execute(async (tx) => {
        await lockJobTotals(tx, this.handle.dialect);
        const jobs = await tx
          .selectFrom('energy_job_total')
          .select('job_id')
          .where('first_day', '<', firstKept)
          .where('job_id', '>', after)
          .orderBy('job_id')
          .limit(JOB_TOTALS_CHUNK)
          .execute();
        if (jobs.length > 0) await refreshJobTotals(tx, jobIdsOf(this.handle.dialect, jobs));
        return jobs.at(-1)?.job_id;
      });
      if (last === undefined) return;
      after = last;
    }
  }

  /**
   * Removes the batch keys of batches whose samples all ended before `cutoff` (found through the
   * last_t1 index of migration 0008); returns the rows deleted.
   */
  async deleteBatchKeysBefore(cutoff: number): Promise<number> {
    const key = this.handle.dialect === 'postgres' ? sql`ctid` : sql`rowid`;
    return this.deleteInChunks(
      (limit) =>
        sql`DELETE FROM ingested_batches WHERE ${key} IN (SELECT ${key} FROM ingested_batches WHERE last_t1 < ${cutoff} LIMIT ${limit})`,
    );
  }

  /** The oldest minute still stored, or null. */
  async oldestMinute(): Promise<number | null> {
    const row = await this.handle.db
      .selectFrom('energy_buckets')
      .select((eb) => eb.fn.min<number>('minute_start').as('m'))
      .executeTakeFirst();
    return row?.m === null || row?.m === undefined ? null : Number(row.m);
  }

  private async deleteInChunks(statement: (limit: number) => ReturnType<typeof sql>): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await statement(DELETE_CHUNK_ROWS).execute(this.handle.db);
      const deleted = Number(result.numAffectedRows ?? 0);
      total += deleted;
      if (deleted < DELETE_CHUNK_ROWS) return total;
      await yieldToIngest();
    }
  }
}
