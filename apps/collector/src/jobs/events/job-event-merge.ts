import type { JobNodesTable, JobsTable } from '@wattprint/db';
import type { JobMetadata } from '@wattprint/protocol';

/** The columns of a job that events change: all but its id. */
export type JobFields = Omit<JobsTable, 'id'>;
export type JobNodeRow = JobNodesTable;

/**
 * Who says something of a job. A scheduler (its prolog and epilog, the job-events API) knows the
 * job; an agent infers it from what it sees on its node (/proc, cgroups). A scheduler's word
 * outranks an agent's, field by field; an agent speaks only for its own node.
 */
export type JobEventOrigin = { kind: 'scheduler' } | { kind: 'agent'; agentId: string; node: string };

/** A job event from either door, reduced to what it says. */
export interface JobEventInput {
  type: 'start' | 'end' | 'metadata';
  jobId: string;
  at: number;
  metadata?: JobMetadata;
  exitCode?: number | null;
  /** How the scheduler says the job ended: COMPLETED, FAILED, CANCELLED… */
  exitState?: string;
  /** The nodes the scheduler gave the job. */
  nodes?: string[];
  origin: JobEventOrigin;
}

type Source = 'scheduler' | 'agent';
type Sources = Partial<Record<string, Source>>;

/** Metadata fields and the columns they set. */
const METADATA_COLUMNS = {
  name: 'name',
  user: 'user',
  team: 'team',
  project: 'project',
  cluster: 'cluster',
  scheduler: 'scheduler',
  schedulerJobId: 'scheduler_job_id',
  forecastId: 'forecast_id',
} as const satisfies Record<Exclude<keyof JobMetadata, 'labels'>, keyof JobFields>;

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted keys, so the stored text does not depend on the order events arrived in. */
function stableJson(value: Record<string, unknown>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(byKey)));
}

function parseObject<T>(text: string | null): Record<string, T> {
  if (text === null) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, T>) : {};
  } catch {
    return {};
  }
}

/**
 * A scheduler sets every field it names and marks it as its own; an agent fills only fields nobody
 * has set yet, so neither another node's agent nor an agent's own guess (`scheduler: "unknown"`)
 * can move a job to another team or user. Labels go the same way, key by key.
 */
function mergeMetadata(job: JobFields, sources: Sources, metadata: JobMetadata, by: Source): JobFields {
  const next: JobFields = { ...job };
  for (const field of Object.keys(METADATA_COLUMNS) as Array<keyof typeof METADATA_COLUMNS>) {
    const column = METADATA_COLUMNS[field];
    const value = metadata[field];
    if (value === undefined) continue;
    if (by === 'scheduler' || (sources[column] === undefined && job[column] === null)) {
      next[column] = value;
      sources[column] = by;
    }
  }
  if (metadata.labels !== undefined) {
    const labels = parseObject<string>(job.labels);
    for (const [key, value] of Object.entries(metadata.labels)) {
      const owner = sources[`labels.${key}`];
      if (by === 'scheduler' || (owner === undefined && labels[key] === undefined)) {
        labels[key] = value;
        sources[`labels.${key}`] = by;
      }
    }
    next.labels = stableJson(labels);
  }
  return next;
}

/** The node's own record after an agent's start or end; events may arrive in any order. */
function nextNodeRow(row: JobNodeRow | undefined, event: JobEventInput & { origin: { kind: 'agent' } }): JobNodeRow {
  const current: JobNodeRow = row ?? {
    job_id: event.jobId,
    node: event.origin.node,
    agent_id: event.origin.agentId,
    started_at: null,
    ended_at: null,
  };
  const next = { ...current, agent_id: event.origin.agentId };
  if (event.type === 'start') {
    next.started_at = current.started_at === null ? event.at : Math.min(current.started_at, event.at);
    // seen again after it ended on this node (the job came back to its GPUs): open again; a start
    // delivered after its own end (at <= ended_at) changes nothing
    if (current.ended_at !== null && event.at > current.ended_at) next.ended_at = null;
  } else if (event.type === 'end') {
    next.ended_at = current.ended_at === null ? event.at : Math.max(current.ended_at, event.at);
  }
  return next;
}

/**
 * State and end from what the nodes say, unless a scheduler ended the job. With no node records
 * (jobs from before per-node records) the job keeps what it had.
 */
function settleEnd(job: JobFields, sources: Sources, nodes: readonly JobNodeRow[]): JobFields {
  if (sources.ended_at === 'scheduler' || nodes.length === 0) return job;
  const allEnded = nodes.every((n) => n.ended_at !== null);
  if (allEnded) {
    sources.ended_at = 'agent';
    return { ...job, state: 'ended', ended_at: Math.max(...nodes.map((n) => n.ended_at!)) };
  }
  delete sources.ended_at;
  return { ...job, state: 'running', ended_at: null };
}

export interface JobEventOutcome {
  job: JobFields;
  /** The agent's node record to write; undefined for a scheduler's event. */
  node?: JobNodeRow;
}

/**
 * A job after one event, given the job's per-node records. Events of a job arrive in any order
 * (an end before its start, before or after the job's samples), so each moves the job only forward:
 * seen times only widen, an agent's end on a node stands against an earlier start, a scheduler's end
 * stands against everything.
 */
export function applyJobEvent(job: JobFields, nodes: readonly JobNodeRow[], event: JobEventInput): JobEventOutcome {
  const sources = parseObject<Source>(job.field_sources);
  const by: Source = event.origin.kind;
  let next: JobFields = {
    ...job,
    first_seen_at: Math.min(job.first_seen_at, event.at),
    last_seen_at: Math.max(job.last_seen_at, event.at),
  };
  if (event.metadata !== undefined) next = mergeMetadata(next, sources, event.metadata, by);
  if (event.nodes !== undefined && by === 'scheduler') next.nodes = JSON.stringify(event.nodes);

  if (event.type === 'start') {
    next.inferred = 0;
    if (by === 'scheduler') {
      next.started_at = event.at;
      sources.started_at = 'scheduler';
    } else if (sources.started_at !== 'scheduler') {
      next.started_at = next.started_at === null ? event.at : Math.min(next.started_at, event.at);
      sources.started_at = 'agent';
    }
  } else if (event.type === 'end' && by === 'scheduler') {
    next.state = 'ended';
    next.ended_at = event.at;
    sources.ended_at = 'scheduler';
    if (event.exitCode !== undefined) {
      next.exit_code = event.exitCode;
      sources.exit_code = 'scheduler';
    }
    if (event.exitState !== undefined) next.exit_state = event.exitState;
  } else if (event.type === 'end' && sources.exit_code !== 'scheduler' && event.exitCode !== undefined && event.exitCode !== null) {
    next.exit_code = event.exitCode;
  }
  if (by === 'scheduler') next.inferred = 0;

  let node: JobNodeRow | undefined;
  if (event.origin.kind === 'agent') {
    const agentEvent = event as JobEventInput & { origin: { kind: 'agent' } };
    const updated = nextNodeRow(
      nodes.find((n) => n.node === agentEvent.origin.node),
      agentEvent,
    );
    next = settleEnd(next, sources, [...nodes.filter((n) => n.node !== updated.node), updated]);
    node = updated;
  }
  next.field_sources = stableJson(sources);
  return { job: next, node };
}

/** The row an event creates when its job has not been seen yet: inferred, running, no metadata. */
export function newJob(at: number): JobFields {
  return {
    state: 'running',
    inferred: 1,
    name: null,
    user: null,
    team: null,
    project: null,
    cluster: null,
    scheduler: null,
    scheduler_job_id: null,
    labels: null,
    forecast_id: null,
    started_at: null,
    ended_at: null,
    exit_code: null,
    exit_state: null,
    nodes: null,
    field_sources: null,
    first_seen_at: at,
    last_seen_at: at,
  };
}
