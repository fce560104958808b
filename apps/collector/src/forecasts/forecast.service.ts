import { Injectable } from '@nestjs/common';
import { HOUR_MS, hourStartOf } from '@wattprint/carbon';
import { forecast, type ForecastResult, type IntensitySeries } from '@wattprint/estimation';
import { CalibrationService, type LedgerCalibrationUsed } from '../calibration/calibration.service';
import type { Principal } from '../auth/auth.decorators';
import { ClockRepository } from '../clock/clock.repository';
import { ForecastNotFoundError } from './forecast.errors';
import { ForecastRepository } from './forecast.repository';
import { hourlySeries } from './hourly-series';

/** How far ahead of the start the region's stored series is offered to the model. */
const SERIES_HOURS = 14 * 24;

export interface ForecastView {
  id: string;
  createdAt: string;
  createdBy: string | null;
  team: string | null;
  spec: unknown;
  result: ForecastResult;
  /** The ledger's fit the forecast used (POST only); null when the profile has none yet. */
  calibration?: LedgerCalibrationUsed | null;
}

function profileOf(spec: unknown): string | undefined {
  const profile = (spec as { hardware?: { profile?: unknown } } | null)?.hardware?.profile;
  return typeof profile === 'string' ? profile : undefined;
}

function regionOf(spec: unknown): { region: string; start: number | undefined } | null {
  if (typeof spec !== 'object' || spec === null) return null;
  const { site, start } = spec as { site?: { region?: unknown }; start?: unknown };
  if (typeof site?.region !== 'string') return null;
  const parsed = typeof start === 'string' ? Date.parse(start) : NaN;
  return { region: site.region, start: Number.isNaN(parsed) ? undefined : parsed };
}

/**
 * Runs the estimation library on a run spec and keeps spec and result, so a job launched from the
 * forecast (metadata forecastId) can be checked against it. A spec naming `site.region` is priced
 * with the region's stored hourly intensity from its start (or from now); a spec whose hardware
 * profile the ledger has calibrated (calibration module) is priced with that fit, and says so.
 */
@Injectable()
export class ForecastService {
  constructor(
    private readonly forecasts: ForecastRepository,
    private readonly clock: ClockRepository,
    private readonly calibration: CalibrationService,
  ) {}

  /** Throws the estimation library's SpecError, naming every bad field, for a spec it cannot use. */
  async create(spec: unknown, principal: Principal): Promise<ForecastView> {
    const intensity: Record<string, IntensitySeries> = {};
    const wanted = regionOf(spec);
    if (wanted !== null) {
      const startHour = hourStartOf(wanted.start ?? this.clock.now());
      const periods = await this.forecasts.intensityPeriods(wanted.region, startHour, startHour + SERIES_HOURS * HOUR_MS);
      const series = hourlySeries(periods, startHour, SERIES_HOURS);
      if (series !== null) intensity[wanted.region] = series;
    }
    const profile = profileOf(spec);
    const ledger = profile === undefined ? undefined : await this.calibration.forProfile(profile);
    const result = forecast(spec, { intensity, calibration: ledger?.file });
    const row = {
      id: this.forecasts.newId(),
      created_at: this.clock.now(),
      created_by: principal.tokenId,
      team: principal.team,
      spec: JSON.stringify(spec),
      result: JSON.stringify(result),
      energy_kwh_p50: result.energyKWh.p50,
    };
    await this.forecasts.insert(row);
    return {
      id: row.id,
      createdAt: new Date(row.created_at).toISOString(),
      createdBy: row.created_by,
      team: row.team,
      spec,
      result,
      calibration: ledger?.used ?? null,
    };
  }

  /** A team viewer sees its team's forecasts only; another team's answers 404, as if it did not exist. */
  async get(id: string, principal: Principal): Promise<ForecastView> {
    const row = await this.forecasts.find(id);
    if (row === undefined || (principal.team !== null && row.team !== principal.team)) throw new ForecastNotFoundError(id);
    return {
      id: row.id,
      createdAt: new Date(row.created_at).toISOString(),
      createdBy: row.created_by,
      team: row.team,
      spec: JSON.parse(row.spec),
      result: JSON.parse(row.result) as ForecastResult,
    };
  }
}
