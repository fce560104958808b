import { Inject, Injectable } from '@nestjs/common';
import { kWhOf } from '@wattprint/carbon';
import type { DatabaseHandle, NewRow, Row } from '@wattprint/db';
import { DATABASE } from '../database/database.module';
import { ledgerRows, readLedgerWindow } from '../reports/ledger-source';
import { type LedgerOutcome, parseStored } from './ledger-outcomes';

export type CalibrationFitRow = Row<'calibration_fits'>;

/** Rows a multi-row insert carries at most (SQLite binds at most 32766 values). */
const CHUNK = 500;

export interface OutcomeFilter {
  /** Jobs that ended in [from, to). */
  from?: number;
  to?: number;
  /** A team viewer's scope; null = every team. */
  scopeTeam: string | null;
}

/** The ledger read as calibration needs it, and the fits kept from it. */
@Injectable()
export class CalibrationRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /**
   * Every ended job launched from a stored forecast (matching the filter), with its measured energy,
   * GPUs and whether a seq gap of one of its nodes overlaps its span.
   */
  async outcomes(filter: OutcomeFilter): Promise<LedgerOutcome[]> {
    const db = this.handle.db;
    let q = db
      .selectFrom('jobs')
      .innerJoin('forecasts', 'forecasts.id', 'jobs.forecast_id')
      .select([
        'jobs.id as job_id',
        'jobs.team as team',
        'jobs.started_at as started_at',
        'jobs.first_seen_at as first_seen_at',
        'jobs.ended_at as ended_at',
        'forecasts.id as forecast_id',
        'forecasts.spec as spec',
        'forecasts.result as result',
      ])
      .where('jobs.state', '=', 'ended')
      .where('jobs.ended_at', 'is not', null);
    if (filter.scopeTeam !== null) q = q.where('jobs.team', '=', filter.scopeTeam);
    if (filter.from !== undefined) q = q.where('jobs.ended_at', '>=', filter.from);
    if (filter.to !== undefined) q = q.where('jobs.ended_at', '<', filter.to);
    const jobs = await q.orderBy('jobs.ended_at').orderBy('jobs.id').execute();
    if (jobs.length === 0) return [];

    const energy = new Map<string, { joules: number; gpus: Set<string>; nodes: Set<string> }>();
    const window = await readLedgerWindow(db);
    for (let i = 0; i < jobs.length; i += CHUNK) {
      const ids = jobs.slice(i, i + CHUNK).map((j) => j.job_id);
      const rows = await db
        .selectFrom(ledgerRows(db, window, undefined, { jobIds: ids }).as('b'))
        .select((eb) => ['job_id', 'node', 'device', 'device_kind', eb.fn.sum<number>('joules').as('joules')])
        .groupBy(['job_id', 'node', 'device', 'device_kind'])
        .execute();
      for (const r of rows) {
        const e = energy.get(r.job_id) ?? { joules: 0, gpus: new Set<string>(), nodes: new Set<string>() };
        e.joules += Number(r.joules);
        e.nodes.add(r.node);
        if (r.device_kind === 'gpu') e.gpus.add(`${r.node}\u0000${r.device}`);
        energy.set(r.job_id, e);
      }
    }

    const spanOf = (j: (typeof jobs)[number]) => ({ from: Number(j.started_at ?? j.first_seen_at), to: Number(j.ended_at) });
    const allNodes = [...new Set([...energy.values()].flatMap((e) => [...e.nodes]))];
    const gaps =
      allNodes.length === 0
        ? []
        : await db
            .selectFrom('seq_gaps')
            .select(['node', 'from_t', 'to_t'])
            .where('node', 'in', allNodes)
            .where('from_t', '<', Math.max(...jobs.map((j) => spanOf(j).to)))
            .where('to_t', '>', Math.min(...jobs.map((j) => spanOf(j).from)))
            .execute();

    return jobs.map((j) => {
      const e = energy.get(j.job_id);
      const span = spanOf(j);
      const nodes = e?.nodes ?? new Set<string>();
      const stored = parseStored(j.spec, j.result);
      return {
        jobId: j.job_id,
        forecastId: j.forecast_id,
        team: j.team,
        endedAt: span.to,
        durationMs: span.to - span.from,
        measuredKWh: kWhOf(e?.joules ?? 0),
        gpus: e?.gpus.size ?? 0,
        // the same test as the job's own `gaps.energyMissing`: a gap of one of its nodes overlaps its span
        energyMissing: gaps.some((g) => nodes.has(g.node) && Number(g.from_t) < span.to && Number(g.to_t) > span.from),
        ...stored,
      };
    });
  }

  async fits(): Promise<CalibrationFitRow[]> {
    return this.handle.db.selectFrom('calibration_fits').selectAll().orderBy('profile').execute();
  }

  async fit(profile: string): Promise<CalibrationFitRow | undefined> {
    return this.handle.db.selectFrom('calibration_fits').selectAll().where('profile', '=', profile).executeTakeFirst();
  }

  /**
   * Keeps one refit: an upsert per profile and the removal of profiles that no longer have an
   * observation. Two replicas refitting at once each write a complete fit of the same ledger, so
   * whichever commits last stands and neither fails.
   */
  async saveFits(rows: NewRow<'calibration_fits'>[], outcomes: NewRow<'forecast_outcomes'>[], dropOutcomes: string[]): Promise<void> {
    await this.handle.db.transaction().execute(async (tx) => {
      const keep = rows.map((r) => r.profile);
      let del = tx.deleteFrom('calibration_fits');
      if (keep.length > 0) del = del.where('profile', 'not in', keep);
      await del.execute();
      for (let i = 0; i < rows.length; i += CHUNK) {
        await tx
          .insertInto('calibration_fits')
          .values(rows.slice(i, i + CHUNK))
          .onConflict((oc) =>
            oc.column('profile').doUpdateSet((eb) => ({
              fit: eb.ref('excluded.fit'),
              observations: eb.ref('excluded.observations'),
              mape: eb.ref('excluded.mape'),
              coverage: eb.ref('excluded.coverage'),
              fitted_at: eb.ref('excluded.fitted_at'),
            })),
          )
          .execute();
      }
      for (let i = 0; i < dropOutcomes.length; i += CHUNK) {
        await tx
          .deleteFrom('forecast_outcomes')
          .where('job_id', 'in', dropOutcomes.slice(i, i + CHUNK))
          .execute();
      }
      for (let i = 0; i < outcomes.length; i += CHUNK) {
        await tx
          .insertInto('forecast_outcomes')
          .values(outcomes.slice(i, i + CHUNK))
          .onConflict((oc) =>
            oc.column('job_id').doUpdateSet((eb) => ({
              forecast_id: eb.ref('excluded.forecast_id'),
              profile: eb.ref('excluded.profile'),
              team: eb.ref('excluded.team'),
              ended_at: eb.ref('excluded.ended_at'),
              measured_kwh: eb.ref('excluded.measured_kwh'),
              forecast_p10_kwh: eb.ref('excluded.forecast_p10_kwh'),
              forecast_p50_kwh: eb.ref('excluded.forecast_p50_kwh'),
              forecast_p90_kwh: eb.ref('excluded.forecast_p90_kwh'),
              recorded_at: eb.ref('excluded.recorded_at'),
            })),
          )
          .execute();
      }
    });
  }
}
