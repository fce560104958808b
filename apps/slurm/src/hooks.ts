import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { HookConfig } from './config';
import { deliverEntry, senderOf } from './delivery';
import type { HookLog } from './hook-log';
import { eventIdOf, jobFromEnv, publishesFor, startEvent, type SlurmJob } from './slurm-job';
import type { Spool, SpoolRecord } from './spool';

export interface HookContext {
  config: HookConfig;
  /** Configuration problems, logged with every run until fixed. */
  problems: string[];
  log: HookLog;
  spool: Spool;
  /** This program (bin/wattprint-slurm.js), to start a flush in the background. */
  program: string;
  env: NodeJS.ProcessEnv;
}

/** Milliseconds since this process started, Node's own start-up included: what the job waits for. */
export const sinceStart = (): number => Math.round(performance.now());

/** Leaves this much of the budget for writing the log and exiting. */
const EXIT_MARGIN_MS = 40;
/** How long past its budget a prolog's own event stays out of a concurrent flush's way. */
const HOLD_MARGIN_MS = 1000;

/**
 * Starts `wattprint-slurm flush` in its own session with no inherited descriptors: slurmd waits for the
 * hook's output to close, so a child holding it would hold up the job; the flush outlives the hook.
 */
export function startBackgroundFlush(ctx: HookContext, args: string[]): void {
  const child = spawn(process.execPath, [ctx.program, 'flush', '--quiet', ...args], { detached: true, stdio: 'ignore', env: ctx.env });
  child.on('error', () => undefined);
  child.unref();
}

function jobOrLog(ctx: HookContext, hook: string): SlurmJob | null {
  const job = jobFromEnv(ctx.env, ctx.config.cluster);
  if ('problem' in job) {
    ctx.log.write({ hook, outcome: 'skipped', error: job.problem, ms: sinceStart() });
    return null;
  }
  return job;
}

/**
 * The Prolog: spools the job's start event, then sends it within what is left of the time budget. Any
 * failure leaves the event in the spool for the next flush; nothing here can fail the job.
 */
export async function prolog(ctx: HookContext): Promise<void> {
  const job = jobOrLog(ctx, 'prolog');
  if (job === null) return;
  if (!publishesFor(job)) return;
  const now = Date.now();
  const record: SpoolRecord = {
    v: 1,
    queuedAt: now,
    body: startEvent(job, now),
    heldUntil: now + ctx.config.timeoutMs + HOLD_MARGIN_MS,
    attempts: 0,
    lastError: null,
  };
  let file: string;
  let dropped = 0;
  try {
    ({ file, dropped } = ctx.spool.put(record));
  } catch (error) {
    ctx.log.write({
      hook: 'prolog',
      jobId: job.jobId,
      eventId: record.body.eventId,
      outcome: 'lost',
      error: `cannot spool: ${(error as Error).message}`,
    });
    return;
  }
  const budget = ctx.config.timeoutMs - sinceStart() - EXIT_MARGIN_MS;
  const sender = senderOf(ctx.config);
  const result =
    budget > 0
      ? await deliverEntry(ctx.spool, { file, record }, sender, budget)
      : { outcome: 'retry' as const, message: 'no time left in the budget' };
  ctx.log.write({
    hook: 'prolog',
    jobId: job.jobId,
    eventId: record.body.eventId,
    outcome:
      result.outcome === 'delivered'
        ? result.applied
          ? 'delivered'
          : 'already-applied'
        : result.outcome === 'retry'
          ? 'spooled'
          : 'rejected',
    ...(result.outcome !== 'delivered' ? { error: 'message' in result ? result.message : undefined } : {}),
    ...(dropped > 0 ? { dropped } : {}),
    ...(ctx.problems.length > 0 ? { configProblems: ctx.problems } : {}),
    ms: sinceStart(),
  });
  // The collector answers again: whatever waited from before goes now, in the background.
  if (result.outcome === 'delivered' && !ctx.spool.isEmpty()) startBackgroundFlush(ctx, []);
}

/**
 * The Epilog: spools the job's end, still without its final state, and starts a background flush that
 * waits for it. Slurm shows a job as COMPLETING until every node's epilog has returned, and a cancelled
 * job's epilog sees exit code 0: only once the epilog is done does squeue give the state to publish.
 */
export async function epilog(ctx: HookContext): Promise<void> {
  const job = jobOrLog(ctx, 'epilog');
  if (job === null) return;
  if (!publishesFor(job)) return;
  const now = Date.now();
  const exitCode2 = ctx.env.SLURM_JOB_EXIT_CODE2 ?? null;
  const record: SpoolRecord = {
    v: 1,
    queuedAt: now,
    body: { eventId: eventIdOf(job, 'end'), type: 'end', jobId: job.jobId, at: now },
    pending: { job, epilogAt: now, exitCode2 },
    attempts: 0,
    lastError: null,
  };
  try {
    const { dropped } = ctx.spool.put(record);
    startBackgroundFlush(ctx, ['--wait-for', job.jobId]);
    ctx.log.write({
      hook: 'epilog',
      jobId: job.jobId,
      eventId: record.body.eventId,
      outcome: 'awaiting-final-state',
      ...(dropped > 0 ? { dropped } : {}),
      ms: sinceStart(),
    });
  } catch (error) {
    ctx.log.write({
      hook: 'epilog',
      jobId: job.jobId,
      eventId: record.body.eventId,
      outcome: 'lost',
      error: `cannot spool: ${(error as Error).message}`,
    });
  }
}
