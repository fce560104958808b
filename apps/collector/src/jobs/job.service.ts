import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/auth.decorators';
import { ClockRepository } from '../clock/clock.repository';
import { EMISSION_FACTORS, type EmissionFactors } from '../reports/emission-factors';
import { EMPTY_EMISSIONS, emissionsOf, type Emissions, nodeHoursOf } from '../reports/emissions';
import { decodeCursor, encodeCursor } from './job-cursor';
import { energyFigures, forecastComparison, gapView, jobSummaryView, jobView, type JobSummaryView } from './job-views';
import { JobNotFoundError } from './job.errors';
import { type JobFilter, JobRepository, type JobRow } from './job.repository';
import type { ListJobsQuery } from './job.schemas';
import { kWhOf } from '@wattprint/carbon';

/** CSV export walks every page; this bounds one export. */
const CSV_MAX_ROWS = 100_000;
const CSV_PAGE = 500;

function groupBy<T, K>(items: T[], key: (t: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

@Injectable()
export class JobService {
  constructor(
    private readonly jobs: JobRepository,
    @Inject(EMISSION_FACTORS) private readonly factors: EmissionFactors,
    private readonly clock: ClockRepository,
  ) {}

  async list(query: ListJobsQuery, principal: Principal): Promise<{ jobs: JobSummaryView[]; nextCursor: string | null }> {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.jobs.list(this.filterOf(query, principal), after, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > query.limit && last ? encodeCursor({ firstSeenAt: last.first_seen_at, id: last.id }) : null;
    return { jobs: await this.summaries(page), nextCursor };
  }

  /** Every matching job, for CSV export: the same order and filters as the list, all pages. */
  async listAll(query: ListJobsQuery, principal: Principal): Promise<JobSummaryView[]> {
    const all: JobSummaryView[] = [];
    let cursor: string | undefined = query.cursor;
    do {
      const page = await this.list({ ...query, limit: CSV_PAGE, cursor }, principal);
      all.push(...page.jobs);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && all.length < CSV_MAX_ROWS);
    return all.slice(0, CSV_MAX_ROWS);
  }

  async detail(id: string, principal: Principal) {
    const job = await this.jobs.find(id);
    // Another team's job answers exactly like a missing one, so ids cannot be probed.
    const scopeTeam = principal.role === 'viewer' ? principal.team : null;
    if (job === undefined || (scopeTeam !== null && job.team !== scopeTeam)) throw new JobNotFoundError(id);

    const deviceHours = await this.jobs.energyByDeviceHour(id);
    const factors = await this.factors.hourFactors(nodeHoursOf(deviceHours));
    const gpuMsOf = (rows: typeof deviceHours) => rows.reduce((s, r) => s + (r.kind === 'gpu' ? r.durationMs : 0), 0);
    const total = emissionsOf(deviceHours, factors);

    const nodes = [...groupBy(deviceHours, (r) => r.node)].map(([node, rows]) => {
      const devices = [...groupBy(rows, (r) => r.device)].map(([device, drows]) => {
        const peaks = drows.map((r) => r.peakPowerW).filter((p): p is number => p !== null);
        return {
          device,
          kind: drows[0].kind,
          ...energyFigures(emissionsOf(drows, factors), gpuMsOf(drows)),
          peakPowerW: peaks.length > 0 ? Math.max(...peaks) : null,
        };
      });
      return { node, ...energyFigures(emissionsOf(rows, factors), gpuMsOf(rows)), devices };
    });

    const spanFrom = job.started_at ?? job.first_seen_at;
    // by minute while the job's minutes are kept; by hour once retention has dropped its first ones
    const window = await this.jobs.window();
    const byHour = window.minutesFrom !== null && Math.min(spanFrom, job.first_seen_at) < window.minutesFrom;
    const timeline = byHour
      ? hourlyTimeline(deviceHours)
      : (await this.jobs.energyByMinute(id)).map((m) => ({
          minute: new Date(m.minuteStart).toISOString(),
          energyKWh: kWhOf(m.joules),
          // Mean over the whole minute, all of the job's devices together.
          meanPowerW: m.joules / 60,
          samples: m.samples,
        }));

    const spanTo = job.ended_at ?? (job.state === 'running' ? this.clock.now() : job.last_seen_at);
    const gaps = (await this.jobs.gapsOverlapping([...new Set(deviceHours.map((r) => r.node))], spanFrom, spanTo)).map(gapView);

    const measuredKWh = kWhOf(total.joules);
    const forecast =
      job.forecast_id === null ? null : forecastComparison(job.forecast_id, await this.jobs.findForecast(job.forecast_id), measuredKWh);

    return {
      job: jobView(job),
      energy: {
        ...energyFigures(total, gpuMsOf(deviceHours)),
        samples: deviceHours.reduce((s, r) => s + r.samples, 0),
        estimatedHours: total.estimatedHours.map((h) => new Date(h).toISOString()),
      },
      nodes,
      timelineResolution: byHour ? ('hour' as const) : ('minute' as const),
      timeline,
      gaps: { energyMissing: gaps.length > 0, items: gaps },
      forecast,
    };
  }

  private filterOf(query: ListJobsQuery, principal: Principal): JobFilter {
    return {
      user: query.user,
      team: query.team,
      project: query.project,
      cluster: query.cluster,
      state: query.state,
      from: query.from,
      to: query.to,
      scopeTeam: principal.role === 'viewer' ? principal.team : null,
    };
  }

  private async summaries(page: JobRow[]): Promise<JobSummaryView[]> {
    const energy = await this.jobs.energyByJobNodeHour(page.map((j) => j.id));
    const factors = await this.factors.hourFactors(nodeHoursOf(energy));
    const byJob = groupBy(energy, (e) => e.jobId);
    return page.map((job) => {
      const rows = byJob.get(job.id) ?? [];
      const e: Emissions = rows.length === 0 ? EMPTY_EMISSIONS : emissionsOf(rows, factors);
      return jobSummaryView(
        job,
        e,
        rows.reduce((s, r) => s + r.gpuMs, 0),
      );
    });
  }
}

/** The job's energy by hour, all its devices together: its timeline once its minutes are past retention. */
function hourlyTimeline(rows: Array<{ hourStart: number; joules: number; samples: number }>) {
  return [...groupBy(rows, (r) => r.hourStart)]
    .sort(([a], [b]) => a - b)
    .map(([hourStart, hour]) => {
      const joules = hour.reduce((s, r) => s + r.joules, 0);
      return {
        hour: new Date(hourStart).toISOString(),
        energyKWh: kWhOf(joules),
        meanPowerW: joules / 3600,
        samples: hour.reduce((s, r) => s + r.samples, 0),
      };
    });
}
