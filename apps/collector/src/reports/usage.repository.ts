import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { type RawBuilder, sql } from 'kysely';
import { ClockRepository } from '../clock/clock.repository';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { DATABASE } from '../database/database.module';
import { ledgerRows, readLedgerWindow } from './ledger-source';
import type { UsageGroupBy } from './query.schemas';
import { DAY_MS } from '@wattprint/carbon';

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

/** Energy of one group in one period on one node in one hour: factors apply per (node, hour). */
export interface UsageCell {
  key: string | null;
  idle: boolean;
  periodStart: number;
  node: string;
  hourStart: number;
  joules: number;
  idleJoules: number;
  gpuMs: number;
}

@Injectable()
export class UsageRepository {
  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Inject(COLLECTOR_CONFIG) private readonly config: Pick<CollectorConfig, 'minuteRetentionDays'>,
    private readonly clock: ClockRepository,
  ) {}

  /**
   * One SQL aggregation over the ledger in [from, to) — whole folded hours from the rollup, the rest
   * from the minutes (ledger-source.ts) — grouped by (group, period, node, hour). For job attributes
   * (team, user, …) idle energy is a group of its own: it belongs to no job; for node and site it
   * stays in the group and shows as the idle share.
   */
  async cells(f: UsageFilter): Promise<UsageCell[]> {
    const byJob = f.groupBy !== 'node' && f.groupBy !== 'site';
    const groupExpr: RawBuilder<string | null> =
      f.groupBy === 'node'
        ? sql<string>`b.node`
        : f.groupBy === 'site'
          ? sql<string | null>`n.site_id`
          : sql<string | null>`j.${sql.ref(f.groupBy)}`;
    const idleExpr = byJob ? sql<number>`case when b.job_id = '' then 1 else 0 end` : sql<number>`0`;
    const periodExpr = f.bucket === 'hour' ? sql<number>`b.hour_start` : sql<number>`b.hour_start - (b.hour_start % ${sql.lit(DAY_MS)})`;

    const window = await readLedgerWindow(this.handle.db, this.config.minuteRetentionDays, this.clock.now());
    let q = this.handle.db
      .selectFrom(ledgerRows(this.handle.db, window, { from: f.from, to: f.to }).as('b'))
      .leftJoin('jobs as j', 'j.id', 'b.job_id')
      .leftJoin('nodes as n', 'n.name', 'b.node')
      .select((eb) => [
        groupExpr.as('group_key'),
        idleExpr.as('is_idle'),
        periodExpr.as('period_start'),
        'b.node',
        'b.hour_start',
        eb.fn.sum<number>('b.joules').as('joules'),
        eb.fn.sum<number>(eb.case().when('b.job_id', '=', '').then(eb.ref('b.joules')).else(0).end()).as('idle_joules'),
        eb.fn.sum<number>(eb.case().when('b.device_kind', '=', 'gpu').then(eb.ref('b.duration_ms')).else(0).end()).as('gpu_ms'),
      ]);
    if (f.scopeTeam !== null) q = q.where('j.team', '=', f.scopeTeam);
    if (f.user !== undefined) q = q.where('j.user', '=', f.user);
    if (f.team !== undefined) q = q.where('j.team', '=', f.team);
    if (f.project !== undefined) q = q.where('j.project', '=', f.project);
    if (f.cluster !== undefined) q = q.where('j.cluster', '=', f.cluster);
    // A bare constant in GROUP BY would be read as a column position, so the constant idle flag of
    // node and site groupings stays out of it.
    const rows = await q
      .groupBy(byJob ? [groupExpr, idleExpr, periodExpr, 'b.node', 'b.hour_start'] : [groupExpr, periodExpr, 'b.node', 'b.hour_start'])
      .execute();
    return rows.map((r) => ({
      key: r.group_key,
      idle: Number(r.is_idle) === 1,
      periodStart: Number(r.period_start),
      node: r.node,
      hourStart: Number(r.hour_start),
      joules: Number(r.joules),
      idleJoules: Number(r.idle_joules),
      gpuMs: Number(r.gpu_ms),
    }));
  }
}
