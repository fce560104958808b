import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle, Row } from '@wattprint/db';
import { sql } from 'kysely';
import { DATABASE } from '../database/database.module';
import { type LedgerWindow, ledgerRows, readLedgerWindow } from '../reports/ledger-source';

export type JobRow = Row<'jobs'>;

export interface JobFilter {
  user?: string;
  team?: string;
  project?: string;
  cluster?: string;
  state?: 'running' | 'ended' | 'unknown';
  from?: number;
  to?: number;
  /** A team viewer's scope: only jobs of this team. */
  scopeTeam: string | null;
}

/** Position after the last job of a page, in the list's order (first_seen_at desc, id desc). */
export interface JobCursor {
  firstSeenAt: number;
  id: string;
}

export interface JobNodeHourEnergy {
  jobId: string;
  node: string;
  hourStart: number;
  joules: number;
  gpuMs: number;
}

export interface DeviceHourEnergy {
  node: string;
  device: string;
  kind: 'gpu' | 'cpu' | 'dram';
  hourStart: number;
  joules: number;
  durationMs: number;
  samples: number;
  peakPowerW: number | null;
}

export interface MinuteEnergy {
  minuteStart: number;
  joules: number;
  samples: number;
}

export type GapRow = Row<'seq_gaps'>;
export type ForecastRow = Row<'forecasts'>;

@Injectable()
export class JobRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** One page in a stable order; `after` continues strictly after a previous page's last job. */
  async list(filter: JobFilter, after: JobCursor | undefined, limit: number): Promise<JobRow[]> {
    let q = this.handle.db.selectFrom('jobs').selectAll();
    if (filter.scopeTeam !== null) q = q.where('team', '=', filter.scopeTeam);
    if (filter.user !== undefined) q = q.where('user', '=', filter.user);
    if (filter.team !== undefined) q = q.where('team', '=', filter.team);
    if (filter.project !== undefined) q = q.where('project', '=', filter.project);
    if (filter.cluster !== undefined) q = q.where('cluster', '=', filter.cluster);
    if (filter.state !== undefined) q = q.where('state', '=', filter.state);
    // A job's span: from its start (or first sample) to its end (or last sample); it matches when
    // the span overlaps [from, to).
    if (filter.to !== undefined) q = q.where(sql<number>`coalesce(started_at, first_seen_at)`, '<', filter.to);
    if (filter.from !== undefined) q = q.where(sql<number>`coalesce(ended_at, last_seen_at)`, '>=', filter.from);
    if (after !== undefined) {
      q = q.where((eb) =>
        eb.or([
          eb('first_seen_at', '<', after.firstSeenAt),
          eb.and([eb('first_seen_at', '=', after.firstSeenAt), eb('id', '<', after.id)]),
        ]),
      );
    }
    return q.orderBy('first_seen_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  }

  async find(id: string): Promise<JobRow | undefined> {
    return this.handle.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** What reports may read: folded hours, minutes kept (see reports/ledger-source.ts). */
  window(): Promise<LedgerWindow> {
    return readLedgerWindow(this.handle.db);
  }

  /** Energy of some jobs by (job, node, hour): the grain emission factors apply at. Folded hours come from the rollup. */
  async energyByJobNodeHour(jobIds: string[]): Promise<JobNodeHourEnergy[]> {
    if (jobIds.length === 0) return [];
    const source = ledgerRows(this.handle.db, await this.window(), undefined, { jobIds });
    const rows = await this.handle.db
      .selectFrom(source.as('b'))
      .select((eb) => [
        'job_id',
        'node',
        'hour_start',
        eb.fn.sum<number>('joules').as('joules'),
        eb.fn.sum<number>(eb.case().when('device_kind', '=', 'gpu').then(eb.ref('duration_ms')).else(0).end()).as('gpu_ms'),
      ])
      .groupBy(['job_id', 'node', 'hour_start'])
      .execute();
    return rows.map((r) => ({
      jobId: r.job_id,
      node: r.node,
      hourStart: Number(r.hour_start),
      joules: Number(r.joules),
      gpuMs: Number(r.gpu_ms),
    }));
  }

  async energyByDeviceHour(jobId: string): Promise<DeviceHourEnergy[]> {
    const source = ledgerRows(this.handle.db, await this.window(), undefined, { jobIds: [jobId] });
    const rows = await this.handle.db
      .selectFrom(source.as('b'))
      .select((eb) => [
        'node',
        'device',
        'device_kind',
        'hour_start',
        eb.fn.sum<number>('joules').as('joules'),
        eb.fn.sum<number>('duration_ms').as('duration_ms'),
        eb.fn.sum<number>('samples').as('samples'),
        eb.fn.max<number | null>('peak_power_w').as('peak_power_w'),
      ])
      .groupBy(['node', 'device', 'device_kind', 'hour_start'])
      .orderBy('node')
      .orderBy('device')
      .orderBy('hour_start')
      .execute();
    return rows.map((r) => ({
      node: r.node,
      device: r.device,
      kind: r.device_kind,
      hourStart: Number(r.hour_start),
      joules: Number(r.joules),
      durationMs: Number(r.duration_ms),
      samples: Number(r.samples),
      peakPowerW: r.peak_power_w === null ? null : Number(r.peak_power_w),
    }));
  }

  async energyByMinute(jobId: string): Promise<MinuteEnergy[]> {
    const rows = await this.handle.db
      .selectFrom('energy_buckets')
      .select((eb) => ['minute_start', eb.fn.sum<number>('joules').as('joules'), eb.fn.sum<number>('samples').as('samples')])
      .where('job_id', '=', jobId)
      .groupBy('minute_start')
      .orderBy('minute_start')
      .execute();
    return rows.map((r) => ({ minuteStart: Number(r.minute_start), joules: Number(r.joules), samples: Number(r.samples) }));
  }

  /** Seq gaps of these nodes whose time span overlaps [from, to): samples that may be the job's and never arrived. */
  async gapsOverlapping(nodes: string[], from: number, to: number): Promise<GapRow[]> {
    if (nodes.length === 0) return [];
    return this.handle.db
      .selectFrom('seq_gaps')
      .selectAll()
      .where('node', 'in', nodes)
      .where('from_t', '<', to)
      .where('to_t', '>', from)
      .orderBy('from_t')
      .orderBy('node')
      .execute();
  }

  async findForecast(id: string): Promise<ForecastRow | undefined> {
    return this.handle.db.selectFrom('forecasts').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
