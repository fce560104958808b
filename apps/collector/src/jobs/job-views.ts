import { z } from 'zod';
import { type Emissions, gpuHours, kg, kWh } from '../reports/emissions';
import type { ForecastRow, GapRow, JobRow } from './job.repository';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** What every view of a job shows of it. */
function jobIdentity(job: JobRow) {
  return {
    id: job.id,
    name: job.name,
    user: job.user,
    team: job.team,
    project: job.project,
    cluster: job.cluster,
    state: job.state,
    inferred: job.inferred === 1,
    startedAt: iso(job.started_at),
    endedAt: iso(job.ended_at),
    firstSeenAt: new Date(job.first_seen_at).toISOString(),
    lastSeenAt: new Date(job.last_seen_at).toISOString(),
    forecastId: job.forecast_id,
  };
}

export function jobSummaryView(job: JobRow, e: Emissions, gpuMs: number) {
  return { ...jobIdentity(job), ...energyFigures(e, gpuMs), estimated: e.estimatedHours.length > 0 };
}
export type JobSummaryView = ReturnType<typeof jobSummaryView>;

export function energyFigures(e: Emissions, gpuMs: number) {
  return { energyKWh: kWh(e.joules), facilityEnergyKWh: kWh(e.facilityJoules), co2eqKg: kg(e.grams), gpuHours: gpuHours(gpuMs) };
}

/** A JSON column read back with its schema; anything else (never written by us) reads as `fallback`. */
function parseJson<S extends z.ZodType>(text: string | null, schema: S, fallback: z.output<S>): z.output<S> {
  if (text === null) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

const Labels = z.record(z.string(), z.string());
const Nodes = z.array(z.string());
const Sources = z.record(z.string(), z.enum(['scheduler', 'agent']));

export function jobView(job: JobRow) {
  return {
    ...jobIdentity(job),
    scheduler: job.scheduler,
    schedulerJobId: job.scheduler_job_id,
    labels: parseJson(job.labels, Labels, {}),
    exitCode: job.exit_code,
    exitState: job.exit_state,
    allocatedNodes: parseJson(job.nodes, Nodes.nullable(), null),
    fieldSources: parseJson(job.field_sources, Sources, {}),
  };
}

export function gapView(g: GapRow) {
  return {
    node: g.node,
    agentId: g.agent_id,
    bootId: g.boot_id,
    fromSeq: Number(g.from_seq),
    toSeq: Number(g.to_seq),
    missingSamples: Number(g.to_seq) - Number(g.from_seq) + 1,
    from: new Date(Number(g.from_t)).toISOString(),
    to: new Date(Number(g.to_t)).toISOString(),
  };
}

const ForecastEnergy = z.object({ energyKWh: z.object({ p10: z.number(), p50: z.number(), p90: z.number() }) });

/** The forecast a job was launched from, beside what the job measured. */
export function forecastComparison(forecastId: string, row: ForecastRow | undefined, measuredKWh: number) {
  if (row === undefined) {
    return { id: forecastId, found: false, createdAt: null, energyKWh: null, measuredOverForecastP50: null, withinP10P90: null };
  }
  let energy: { p10: number; p50: number; p90: number } | null = null;
  try {
    const parsed = ForecastEnergy.safeParse(JSON.parse(row.result));
    if (parsed.success) energy = parsed.data.energyKWh;
  } catch {
    energy = null;
  }
  return {
    id: row.id,
    found: true,
    createdAt: new Date(row.created_at).toISOString(),
    energyKWh: energy ?? { p10: row.energy_kwh_p50, p50: row.energy_kwh_p50, p90: row.energy_kwh_p50 },
    measuredOverForecastP50: row.energy_kwh_p50 > 0 ? measuredKWh / row.energy_kwh_p50 : null,
    withinP10P90: energy === null ? null : measuredKWh >= energy.p10 && measuredKWh <= energy.p90,
  };
}
