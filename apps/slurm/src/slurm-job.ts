import { expandHostlist } from './hostlist';
import { clip, EVENT_ID, FIELD_MAX, LABEL_VALUE_MAX, printable, type EventMetadata, type JobEventBody } from './job-event';

/** What a hook's environment tells of a job (slurmd Prolog/Epilog; also the slurmctld ones). */
export interface SlurmJob {
  jobId: string;
  /** SLURM_JOB_RESTART_COUNT: a requeued job runs again under the same id; its events must not be taken for the first run's. */
  restarts: number;
  cluster: string | null;
  /** SLURMD_NODENAME; null in a slurmctld hook. */
  thisNode: string | null;
  /** The job's node list, compressed as Slurm writes it. */
  nodelist: string | null;
  /** Expanded; null when the list could not be read. */
  nodes: string[] | null;
  user: string | null;
  account: string | null;
  partition: string | null;
  /** SLURM_JOB_GPUS: indexes of the GPUs Slurm gave the job on this node. */
  gpus: string | null;
  /** Only the slurmctld hooks and the job itself see these; slurmd's Prolog and Epilog do not. */
  name: string | null;
  arrayJobId: string | null;
  arrayTaskId: string | null;
}

const present = (v: string | undefined): string | null => (v === undefined || v === '' || v === '(null)' ? null : v);

/** The job of a hook's environment, or the reason there is none to publish. */
export function jobFromEnv(env: NodeJS.ProcessEnv, clusterOverride: string | null): SlurmJob | { problem: string } {
  const jobId = env.SLURM_JOB_ID ?? env.SLURM_JOBID;
  if (jobId === undefined || !/^\d{1,20}$/.test(jobId)) {
    return {
      problem: `SLURM_JOB_ID=${JSON.stringify(jobId ?? null)}: expected a Slurm job id (digits); is this running as a Slurm Prolog or Epilog?`,
    };
  }
  const nodelist = present(env.SLURM_JOB_NODELIST) ?? present(env.SLURM_NODELIST);
  let nodes: string[] | null = null;
  if (nodelist !== null) {
    try {
      nodes = expandHostlist(nodelist);
    } catch {
      nodes = null;
    }
  }
  const restarts = Number(env.SLURM_JOB_RESTART_COUNT ?? 0);
  return {
    jobId,
    restarts: Number.isSafeInteger(restarts) && restarts >= 0 ? restarts : 0,
    cluster: clusterOverride ?? present(env.SLURM_CLUSTER_NAME),
    thisNode: present(env.SLURMD_NODENAME),
    nodelist,
    nodes,
    user: present(env.SLURM_JOB_USER),
    account: present(env.SLURM_JOB_ACCOUNT),
    partition: present(env.SLURM_JOB_PARTITION),
    gpus: present(env.SLURM_JOB_GPUS),
    name: present(env.SLURM_JOB_NAME),
    arrayJobId: present(env.SLURM_ARRAY_JOB_ID),
    arrayTaskId: present(env.SLURM_ARRAY_TASK_ID),
  };
}

/**
 * Whether this hook run speaks for the job: the first node of its node list does, so a job on 500 nodes
 * is published once, not 500 times. A slurmctld hook (no SLURMD_NODENAME), or a list that cannot be read,
 * publishes too: the event ids are the same, so the collector applies one copy.
 */
export function publishesFor(job: SlurmJob): boolean {
  return job.thisNode === null || job.nodes === null || job.nodes.length === 0 || job.nodes[0] === job.thisNode;
}

/** `slurm:<cluster>:<job>:<restarts>:<kind>`: the same for every retry of one hook, distinct across requeues. */
export function eventIdOf(job: SlurmJob, kind: 'start' | 'end' | 'meta'): string {
  const cluster = clip((job.cluster ?? 'slurm').replace(/[^A-Za-z0-9._@-]/g, '_'), 64);
  const id = `slurm:${cluster}:${job.jobId}:${job.restarts}:${kind}`;
  if (!EVENT_ID.test(id)) throw new Error(`internal: event id ${id} does not match ${EVENT_ID}`);
  return id;
}

/** Slurm's own id of the job: `<array job>_<task>` for an array task, as squeue shows it. */
function schedulerJobIdOf(job: SlurmJob): string {
  return job.arrayJobId !== null && job.arrayTaskId !== null ? `${job.arrayJobId}_${job.arrayTaskId}` : job.jobId;
}

/**
 * Everything known of the job, Slurm-only facts as `slurm.*` labels. The team is left out: it is the
 * account mapped through the team file when the event is delivered (see withTeam), so a spooled event
 * follows the mapping in force when it is sent.
 */
export function metadataOf(job: SlurmJob): EventMetadata {
  const labels: Record<string, string> = {};
  const label = (key: string, value: string | null) => {
    if (value !== null) labels[key] = printable(value, LABEL_VALUE_MAX);
  };
  label('slurm.partition', job.partition);
  label('slurm.account', job.account);
  label('slurm.array_job_id', job.arrayJobId);
  label('slurm.array_task_id', job.arrayTaskId);
  label('slurm.gpus', job.gpus);
  label('slurm.nodelist', job.nodelist);
  const md: EventMetadata = { scheduler: 'slurm', schedulerJobId: printable(schedulerJobIdOf(job), FIELD_MAX.schedulerJobId), labels };
  if (job.name !== null) md.name = printable(job.name, FIELD_MAX.name);
  if (job.user !== null) md.user = printable(job.user, FIELD_MAX.user);
  if (job.cluster !== null) md.cluster = printable(job.cluster, FIELD_MAX.cluster);
  return md;
}

/**
 * Beyond this, the expanded node list is left out of the event (the compressed one stays in the
 * `slurm.nodelist` label): a 100,000-node job would not fit the collector's 1 MiB request limit.
 */
export const MAX_NODES_BYTES = 256 * 1024;

function nodesOf(job: SlurmJob): string[] | undefined {
  const nodes = job.nodes ?? (job.thisNode !== null ? [job.thisNode] : null);
  if (nodes === null) return undefined;
  const out = nodes.map((n) => printable(n, 255)).filter((n) => n !== '');
  return JSON.stringify(out).length <= MAX_NODES_BYTES && out.length > 0 ? out : undefined;
}

export function startEvent(job: SlurmJob, at: number): JobEventBody {
  const body: JobEventBody = { eventId: eventIdOf(job, 'start'), type: 'start', jobId: job.jobId, at, metadata: metadataOf(job) };
  const nodes = nodesOf(job);
  if (nodes) body.nodes = nodes;
  return body;
}

export function metadataEvent(job: SlurmJob, at: number): JobEventBody {
  const body: JobEventBody = { eventId: eventIdOf(job, 'meta'), type: 'metadata', jobId: job.jobId, at, metadata: metadataOf(job) };
  const nodes = nodesOf(job);
  if (nodes) body.nodes = nodes;
  return body;
}

/** Slurm's final word on a job, read once it has left COMPLETING. */
export interface FinalState {
  state: string;
  /** Epoch ms of Slurm's EndTime; null when Slurm has none. */
  endAt: number | null;
}

/** States in which Slurm itself ended the job: its exit status is whatever the signal left, so none is reported. */
const ENDED_BY_SLURM = new Set(['CANCELLED', 'TIMEOUT', 'PREEMPTED', 'NODE_FAIL', 'BOOT_FAIL', 'DEADLINE', 'REVOKED']);

/**
 * The exit status of the batch script from `SLURM_JOB_EXIT_CODE2` (`<status>:<signal>`): the status, or
 * 128 + the signal when a signal ended it, as a shell reports it (and as `wattprint run` does).
 */
export function exitStatusOf(exitCode2: string | null): number | null {
  const m = exitCode2 === null ? null : /^(\d{1,3}):(\d{1,3})$/.exec(exitCode2);
  if (!m) return null;
  const [status, signal] = [Number(m[1]), Number(m[2])];
  return signal !== 0 ? 128 + signal : status;
}

/** The collector's rule for a state: capitals and underscores, as Slurm spells them. */
const STATE = /^[A-Z][A-Z_]{0,31}$/;

export function endEvent(job: SlurmJob, final: FinalState, epilogAt: number, exitCode2: string | null): JobEventBody {
  const body: JobEventBody = {
    eventId: eventIdOf(job, 'end'),
    type: 'end',
    jobId: job.jobId,
    at: final.endAt ?? epilogAt,
    exitCode: ENDED_BY_SLURM.has(final.state) ? null : exitStatusOf(exitCode2),
  };
  if (STATE.test(final.state)) body.exitState = final.state;
  return body;
}

/**
 * When Slurm no longer knows the job (it left slurmctld's memory, MinJobAge, before anyone asked), the
 * epilog's own view is all there is: it cannot tell a cancelled job from one that ended by itself.
 */
export function finalStateFromEpilog(exitCode2: string | null): FinalState {
  const status = exitStatusOf(exitCode2);
  return { state: status === 0 ? 'COMPLETED' : 'FAILED', endAt: null };
}
