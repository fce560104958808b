import { spawn } from 'node:child_process';

/** What squeue says of one job. */
export interface SqueueJob {
  jobId: string;
  state: string;
  /** Epoch ms; null when Slurm has none yet (N/A, Unknown, 0). */
  startAt: number | null;
  endAt: number | null;
  arrayJobId: string | null;
  arrayTaskId: string | null;
  name: string;
}

export type SqueueAnswer = { kind: 'found'; job: SqueueJob } | { kind: 'unknown' } | { kind: 'error'; message: string };

/** The job's name last: it is the one field a user writes freely (`|`, spaces, even a newline). */
export const SQUEUE_FORMAT = '%A|%T|%S|%e|%F|%K|%j';

function epochMs(field: string): number | null {
  return /^\d{1,12}$/.test(field) && Number(field) > 0 ? Number(field) * 1000 : null;
}

/**
 * The line of `jobId` in squeue's output (an array's first job id lists every task of the array). Taking
 * the first line that starts with the id keeps a name holding a newline from passing for another row.
 */
export function parseSqueue(stdout: string, jobId: string): SqueueJob | null {
  for (const line of stdout.split('\n')) {
    const cells = line.split('|');
    if (cells.length < 7 || cells[0] !== jobId) continue;
    const [id, state, start, end, arrayJob, arrayTask] = cells;
    const isArrayTask = /^\d+$/.test(arrayTask);
    return {
      jobId: id,
      state,
      startAt: epochMs(start),
      endAt: epochMs(end),
      arrayJobId: isArrayTask ? arrayJob : null,
      arrayTaskId: isArrayTask ? arrayTask : null,
      name: cells.slice(6).join('|'),
    };
  }
  return null;
}

/** States after which a job changes no more (squeue shows COMPLETING until every node's epilog is done). */
export function isFinalState(state: string): boolean {
  return ![
    'PENDING',
    'RUNNING',
    'SUSPENDED',
    'COMPLETING',
    'CONFIGURING',
    'RESIZING',
    'REQUEUED',
    'REQUEUE_FED',
    'REQUEUE_HOLD',
    'SIGNALING',
    'STAGE_OUT',
    'STOPPED',
    'SPECIAL_EXIT',
    'RESV_DEL_HOLD',
    'UPDATE_DB',
    'POWER_UP_NODE',
  ].includes(state);
}

/**
 * Asks squeue (an RPC to slurmctld) about one job, killed after `timeoutMs`: squeue retries for a minute
 * when slurmctld is away, and the caller has a deadline. Times come as epoch seconds (SLURM_TIME_FORMAT).
 */
export function querySqueue(jobId: string, timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<SqueueAnswer> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let done = false;
    const finish = (answer: SqueueAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(answer);
    };
    const child = spawn('squeue', ['--noheader', '--states=all', `--jobs=${jobId}`, `--format=${SQUEUE_FORMAT}`], {
      env: { ...env, SLURM_TIME_FORMAT: '%s' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ kind: 'error', message: `squeue gave no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (error) => finish({ kind: 'error', message: `cannot run squeue: ${error.message}` }));
    child.on('close', (code) => {
      if (code === 0) {
        const job = parseSqueue(stdout, jobId);
        finish(job ? { kind: 'found', job } : { kind: 'unknown' });
      } else if (/Invalid job id/i.test(stderr)) finish({ kind: 'unknown' });
      else finish({ kind: 'error', message: `squeue exited ${code}: ${stderr.trim().slice(0, 300)}` });
    });
  });
}
