import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { calibrate, CALIBRATION_VERSION, type CalibrationFile, prepareSpec, ProfileCalibration, SpecError } from '@wattprint/estimation';
import type { NewRow } from '@wattprint/db';
import type { Principal } from '../auth/auth.decorators';
import { ClockRepository } from '../clock/clock.repository';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { CalibrationRepository, type CalibrationFitRow } from './calibration.repository';
import { type AccuracySummary, isUsable, type LedgerOutcome, observationOf, summarize } from './ledger-outcomes';

export interface RefitReport {
  fittedAt: string;
  /** Ended jobs launched from a forecast that the ledger holds. */
  jobs: number;
  /** Those that became observations (complete energy, a usable spec). */
  observations: number;
  /** Jobs left out, by reason. */
  skipped: { energyMissing: number; nothingMeasured: number; unusableSpec: number };
  profiles: string[];
}

export interface ProfileFitView {
  profile: string;
  observations: number;
  withDuration: number;
  mape: number;
  coverage: number;
  coefficients: { alpha: number; beta: number; gamma: number; precision: string; theta: number; thetaFitted: boolean };
  scale: { alpha: number; beta: number; gamma: number };
  durationScale: number;
  idleScale: number;
  spread: { p10: number; p90: number };
  fittedAt: string;
}

export interface CalibrationView {
  profiles: ProfileFitView[];
  /** The same fits as a calibration file (spec-format.md), what `wattprint forecast --url` reads. */
  calibration: CalibrationFile;
}

/** What a forecast says of the ledger's fit it used. */
export interface LedgerCalibrationUsed {
  source: 'ledger';
  profile: string;
  observations: number;
  mape: number;
  fittedAt: string;
}

function fitOf(row: CalibrationFitRow): ProfileCalibration | null {
  try {
    const parsed = ProfileCalibration.safeParse(JSON.parse(row.fit));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A spec calibrate can use (it refuses a whole batch for one bad observation, so each is checked first). */
function usableSpec(spec: unknown): boolean {
  try {
    return prepareSpec(spec).spec.model.inferenceJ === undefined;
  } catch (error) {
    if (error instanceof SpecError) return false;
    throw error;
  }
}

/**
 * Calibration from the ledger: every ended job launched from a stored forecast whose energy is
 * complete becomes an observation (its forecast's spec, its measured IT energy, wall time and GPUs),
 * and libs/estimation's `calibrate` — the code of `wattprint calibrate` — fits each hardware profile.
 * The fits are kept in calibration_fits; forecasts of a profile with a fit use it. Refits run on a
 * schedule (WATTPRINT_CALIBRATION_EVERY_MS) on every API process and on demand.
 */
@Injectable()
export class CalibrationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Calibration');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  /** The refit in flight in this process: a second caller shares it instead of fitting twice. */
  private inFlight: Promise<RefitReport> | null = null;

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly repository: CalibrationRepository,
    private readonly clock: ClockRepository,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.calibrationEveryMs;
    if (every === 0) return;
    const schedule = () => {
      this.timer = setTimeout(() => {
        this.running = this.refit()
          .catch((error) => this.logger.warn(`calibration refit failed, retrying next pass: ${(error as Error).message}`))
          .finally(schedule);
      }, every);
      this.timer.unref();
    };
    schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  refit(): Promise<RefitReport> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.doRefit().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async doRefit(): Promise<RefitReport> {
    const now = this.clock.now();
    const outcomes = await this.repository.outcomes({ scopeTeam: null });
    const skipped = { energyMissing: 0, nothingMeasured: 0, unusableSpec: 0 };
    const used: LedgerOutcome[] = [];
    for (const o of outcomes) {
      if (o.energyMissing) skipped.energyMissing += 1;
      else if (!isUsable(o)) skipped.nothingMeasured += 1;
      else if (!usableSpec(observationOf(o).spec)) skipped.unusableSpec += 1;
      else used.push(o);
    }
    const file =
      used.length > 0
        ? calibrate(
            used.map(observationOf),
            used.map((o) => `job ${o.jobId}`),
          )
        : null;
    const fits: NewRow<'calibration_fits'>[] = Object.entries(file?.profiles ?? {}).map(([profile, fit]) => ({
      profile,
      fit: JSON.stringify(fit),
      observations: fit.observations,
      mape: fit.mape,
      coverage: fit.coverage,
      fitted_at: now,
    }));
    const kept = outcomes.filter((o) => !o.energyMissing && o.measuredKWh > 0 && o.forecastKWh !== null);
    const rows: NewRow<'forecast_outcomes'>[] = kept.map((o) => {
      const f = o.forecastKWh as NonNullable<LedgerOutcome['forecastKWh']>;
      return {
        job_id: o.jobId,
        forecast_id: o.forecastId,
        profile: o.profile,
        team: o.team,
        ended_at: o.endedAt,
        measured_kwh: o.measuredKWh,
        forecast_p10_kwh: f.p10,
        forecast_p50_kwh: f.p50,
        forecast_p90_kwh: f.p90,
        recorded_at: now,
      };
    });
    const keptIds = new Set(kept.map((o) => o.jobId));
    await this.repository.saveFits(
      fits,
      rows,
      outcomes.filter((o) => !keptIds.has(o.jobId)).map((o) => o.jobId),
    );
    const report = {
      fittedAt: new Date(now).toISOString(),
      jobs: outcomes.length,
      observations: used.length,
      skipped,
      profiles: fits.map((f) => f.profile),
    };
    this.logger.log(`refit: ${used.length} observation(s) of ${outcomes.length} job(s), profiles ${report.profiles.join(', ') || 'none'}`);
    return report;
  }

  async view(): Promise<CalibrationView> {
    const profiles: ProfileFitView[] = [];
    const file: CalibrationFile = { version: CALIBRATION_VERSION, profiles: {} };
    for (const row of await this.repository.fits()) {
      const fit = fitOf(row);
      if (fit === null) continue;
      file.profiles[row.profile] = fit;
      profiles.push({
        profile: row.profile,
        observations: fit.observations,
        withDuration: fit.withDuration,
        mape: fit.mape,
        coverage: fit.coverage,
        coefficients: {
          alpha: fit.alpha,
          beta: fit.beta,
          gamma: fit.gamma,
          precision: fit.precision,
          theta: fit.theta,
          thetaFitted: fit.thetaFitted,
        },
        scale: fit.scale,
        durationScale: fit.durationScale,
        idleScale: fit.idleScale,
        spread: fit.spread,
        fittedAt: new Date(Number(row.fitted_at)).toISOString(),
      });
    }
    return { profiles, calibration: file };
  }

  /** The ledger's fit of one profile as a calibration file, for a forecast; undefined when it has none. */
  async forProfile(profile: string): Promise<{ file: CalibrationFile; used: LedgerCalibrationUsed } | undefined> {
    const row = await this.repository.fit(profile);
    const fit = row && fitOf(row);
    if (!row || !fit) return undefined;
    return {
      file: { version: CALIBRATION_VERSION, profiles: { [profile]: fit } },
      used: {
        source: 'ledger',
        profile,
        observations: fit.observations,
        mape: fit.mape,
        fittedAt: new Date(Number(row.fitted_at)).toISOString(),
      },
    };
  }

  /**
   * How good the forecasts have been: ended jobs launched from a forecast, whose energy is complete,
   * measured against the forecast they were launched from (as it was then), grouped by the spec's
   * hardware profile or the job's team. A team viewer sees its team's jobs only.
   */
  async accuracy(
    query: { groupBy: 'profile' | 'team'; from?: number; to?: number },
    principal: Principal,
  ): Promise<{
    groupBy: string;
    from: string | null;
    to: string | null;
    overall: AccuracySummary;
    groups: Array<{ key: string | null } & AccuracySummary>;
  }> {
    const scopeTeam = principal.role === 'viewer' ? principal.team : null;
    const outcomes = (await this.repository.outcomes({ scopeTeam, from: query.from, to: query.to })).filter(
      (o) => !o.energyMissing && o.measuredKWh > 0 && o.forecastKWh !== null,
    );
    const groups = new Map<string | null, LedgerOutcome[]>();
    for (const o of outcomes) {
      const key = query.groupBy === 'profile' ? o.profile : o.team;
      groups.set(key, [...(groups.get(key) ?? []), o]);
    }
    return {
      groupBy: query.groupBy,
      from: query.from === undefined ? null : new Date(query.from).toISOString(),
      to: query.to === undefined ? null : new Date(query.to).toISOString(),
      overall: summarize(outcomes),
      groups: [...groups]
        .sort(([a], [b]) => String(a ?? '').localeCompare(String(b ?? '')))
        .map(([key, list]) => ({ key, ...summarize(list) })),
    };
  }
}
