import { Injectable } from '@nestjs/common';
import { kWhOf } from '@wattprint/carbon';
import { forecast, type ForecastResult, MAX_TRIALS, SpecError } from '@wattprint/estimation';
import type { Principal } from '../auth/auth.decorators';
import { CalibrationService } from '../calibration/calibration.service';
import { ClockRepository } from '../clock/clock.repository';
import { projectSearch } from './search-projection';
import { SearchExistsError, SearchNotFoundError } from './search.errors';
import { SearchRepository, type SearchRow, type TrialRow } from './search.repository';
import type { CreateSearchBody } from './search.schemas';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

const scopeOf = (principal: Principal): string | null => (principal.role === 'viewer' ? principal.team : null);

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/**
 * A hyperparameter search as one thing: its spec and CT forecast (the search phase's energy, from
 * libs/estimation with the ledger's calibration of the profile when there is one), and its trials,
 * the jobs labelled `wattprint.search` = id (wattprint run --search, WATTPRINT_SEARCH_ID), with what
 * they measured and a projection of the final CT from the trials ended so far.
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly searches: SearchRepository,
    private readonly calibration: CalibrationService,
    private readonly clock: ClockRepository,
  ) {}

  async create(body: CreateSearchBody, principal: Principal) {
    const spec = body.spec;
    if (spec.search === undefined) {
      throw new SpecError([{ path: 'spec.search', message: 'got nothing; expected a search section (docs/spec-format.md)' }]);
    }
    const profile = (spec.hardware as { profile?: unknown } | undefined)?.profile;
    const ledger = typeof profile === 'string' ? await this.calibration.forProfile(profile) : undefined;
    let result: ForecastResult;
    try {
      result = forecast(spec, { calibration: ledger?.file });
    } catch (error) {
      throw error instanceof SpecError ? error.under('spec') : error;
    }
    // a grid's or Hyperband's trials follow from the space and the epochs: bounded here, as a random search's are by the spec
    if (result.phases.search.trials > MAX_TRIALS) {
      throw new SpecError([
        {
          path: 'spec.search',
          message: `got a search of ${result.phases.search.trials} trials; expected at most ${MAX_TRIALS} (a smaller space or fewer rungs)`,
        },
      ]);
    }
    const search = this.searchQuantiles(result);
    const row: SearchRow = {
      id: body.id ?? this.searches.newId(),
      name: body.name ?? (typeof spec.name === 'string' ? spec.name.slice(0, 255) : null),
      team: principal.team,
      created_by: principal.tokenId,
      created_at: this.clock.now(),
      spec: JSON.stringify(spec),
      result: JSON.stringify(result),
      planned_trials: result.phases.search.trials,
      forecast_p10_kwh: search.p10,
      forecast_p50_kwh: search.p50,
      forecast_p90_kwh: search.p90,
    };
    if (!(await this.searches.insert(row))) throw new SearchExistsError(row.id);
    return { ...this.view(row.id, row, []), calibration: ledger?.used ?? null };
  }

  /** Another team's search, or one whose trials the viewer may not see, answers 404 as if it did not exist. */
  async get(id: string, principal: Principal) {
    const scope = scopeOf(principal);
    const row = await this.searches.find(id);
    const visible = row !== undefined && (scope === null || row.team === scope);
    const trials = await this.searches.trials(id, scope, this.clock.now());
    if (!visible && (row !== undefined || trials.length === 0)) throw new SearchNotFoundError(id);
    return this.view(id, visible ? row : undefined, trials);
  }

  /** The search phase's energy with the forecast's one interval (the same ratios to p50 as every figure). */
  private searchQuantiles(result: ForecastResult) {
    const p50 = result.phases.search.energyKWh;
    const e = result.energyKWh;
    const ratio = (q: number) => (e.p50 > 0 ? q / e.p50 : 1);
    return { p10: p50 * ratio(e.p10), p50, p90: p50 * ratio(e.p90) };
  }

  private view(id: string, row: SearchRow | undefined, trials: TrialRow[]) {
    const items = trials
      .map((t) => ({
        jobId: t.job.id,
        trial: t.trial,
        state: t.job.state,
        startedAt: iso(t.job.started_at),
        endedAt: iso(t.job.ended_at),
        energyKWh: kWhOf(t.joules),
        energyMissing: t.energyMissing,
      }))
      .sort((a, b) => (a.trial ?? Number.MAX_SAFE_INTEGER) - (b.trial ?? Number.MAX_SAFE_INTEGER) || (a.jobId < b.jobId ? -1 : 1));
    const ended = items.filter((t) => t.state === 'ended');
    const running = items.filter((t) => t.state === 'running');
    const result = row ? parseJson<ForecastResult | null>(row.result, null) : null;
    const planned = row ? row.planned_trials : null;
    const complete = ended.filter((t) => !t.energyMissing).map((t) => t.energyKWh);
    return {
      id,
      name: row?.name ?? null,
      team: row?.team ?? null,
      createdAt: row ? iso(row.created_at) : null,
      createdBy: row?.created_by ?? null,
      spec: row ? parseJson<Record<string, unknown> | null>(row.spec, null) : null,
      trials: {
        planned,
        running: running.length,
        ended: ended.length,
        unknown: items.length - running.length - ended.length,
        items,
      },
      measured: {
        endedKWh: ended.reduce((s, t) => s + t.energyKWh, 0),
        runningKWh: running.reduce((s, t) => s + t.energyKWh, 0),
      },
      forecast:
        row && result
          ? {
              searchEnergyKWh: { p10: row.forecast_p10_kwh, p50: row.forecast_p50_kwh, p90: row.forecast_p90_kwh },
              energyKWh: result.energyKWh,
            }
          : null,
      projection: projectSearch(complete, planned, running.length + ended.length),
    };
  }
}
