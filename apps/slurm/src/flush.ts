import type { Delivery } from './collector-client';
import { deliverEntry, senderOf } from './delivery';
import { FlushLock } from './flush-lock';
import type { HookContext } from './hooks';
import type { JobEventBody } from './job-event';
import { endEvent, finalStateFromEpilog, metadataEvent, type FinalState, type SlurmJob } from './slurm-job';
import { isFinalState, querySqueue, type SqueueAnswer } from './squeue';
import { removeStaleTemps, type SpoolEntry, type SpoolRecord } from './spool';

export interface FlushOptions {
  /** Wait (up to WATTPRINT_SLURM_RESOLVE_MS) for this job's final state before flushing: the epilog's background step. */
  waitFor: string | null;
  /** Per delivery; a flush is not in a job's way, so it can afford to wait longer than a prolog. */
  deliveryTimeoutMs?: number;
  squeueTimeoutMs?: number;
  /** How long to wait for another flush's lock before leaving the work to it. */
  lockWaitMs?: number;
}

export interface FlushReport {
  delivered: number;
  alreadyApplied: number;
  rejected: number;
  /** Events still in the spool, waiting for the collector. */
  waiting: number;
  /** Ends still waiting for Slurm's final state. */
  awaitingFinalState: number;
  /** Records dropped to keep the spool's bound, since it was created. */
  dropped: number;
  /** Why delivery stopped, when it did. */
  error: string | null;
  /** Set when another flush held the lock and this one left the work to it. */
  skipped: string | null;
}

const TYPE_ORDER: Record<JobEventBody['type'], number> = { start: 0, metadata: 1, end: 2 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start before metadata before end of a job; older jobs first. */
function deliveryOrder(a: SpoolEntry, b: SpoolEntry): number {
  return (
    a.record.body.at - b.record.body.at || TYPE_ORDER[a.record.body.type] - TYPE_ORDER[b.record.body.type] || (a.file < b.file ? -1 : 1)
  );
}

/**
 * Turns a pending end into the end event and a metadata event (the job's name and array ids, which the
 * slurmd hooks never see), once Slurm's state is final. Both are written before the pending record goes,
 * so a crash between leaves the pending record to be finished again, with the same event ids.
 */
function finish(
  ctx: HookContext,
  entry: SpoolEntry,
  final: FinalState,
  fromSqueue: { name: string; arrayJobId: string | null; arrayTaskId: string | null } | null,
): void {
  const pending = entry.record.pending!;
  const job: SlurmJob = fromSqueue
    ? {
        ...pending.job,
        name: fromSqueue.name !== '' ? fromSqueue.name : pending.job.name,
        arrayJobId: fromSqueue.arrayJobId ?? pending.job.arrayJobId,
        arrayTaskId: fromSqueue.arrayTaskId ?? pending.job.arrayTaskId,
      }
    : pending.job;
  const end = endEvent(job, final, pending.epilogAt, pending.exitCode2);
  const now = Date.now();
  ctx.spool.put({ v: 1, queuedAt: now, body: metadataEvent(job, end.at), attempts: 0, lastError: null });
  const record: SpoolRecord = { v: 1, queuedAt: entry.record.queuedAt, body: end, attempts: 0, lastError: null };
  ctx.spool.put(record);
}

type Resolution = 'finished' | 'not-final' | 'slurm-unreachable';

/** One look at Slurm for one pending end. */
async function resolveOnce(
  ctx: HookContext,
  entry: SpoolEntry,
  timeoutMs: number,
): Promise<{ resolution: Resolution; answer: SqueueAnswer }> {
  const pending = entry.record.pending!;
  const answer = await querySqueue(pending.job.jobId, timeoutMs, ctx.env);
  if (answer.kind === 'found' && isFinalState(answer.job.state)) {
    finish(ctx, entry, { state: answer.job.state, endAt: answer.job.endAt }, answer.job);
    return { resolution: 'finished', answer };
  }
  // Slurm forgot the job (MinJobAge) or never had it under this id: the epilog's view is all that is left,
  // taken only once the resolve window has passed, in case slurmctld was merely restarting.
  if (answer.kind === 'unknown' && Date.now() - pending.epilogAt >= ctx.config.resolveMs) {
    finish(ctx, entry, finalStateFromEpilog(pending.exitCode2), null);
    ctx.log.write({
      command: 'flush',
      jobId: pending.job.jobId,
      outcome: 'final-state-from-epilog',
      error: 'Slurm no longer knows the job',
    });
    return { resolution: 'finished', answer };
  }
  return { resolution: answer.kind === 'error' ? 'slurm-unreachable' : 'not-final', answer };
}

/** The epilog's background step: polls Slurm until this job's state is final, or the resolve window ends. */
async function waitForFinalState(ctx: HookContext, jobId: string, squeueTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + ctx.config.resolveMs;
  let pause = 200;
  for (;;) {
    const entry = ctx.spool.list().find((e) => e.record.pending?.job.jobId === jobId);
    if (entry === undefined) return; // finished by another flush meanwhile
    const { resolution, answer } = await resolveOnce(ctx, entry, squeueTimeoutMs);
    if (resolution === 'finished') return;
    if (Date.now() + pause > deadline) {
      ctx.log.write({
        command: 'flush',
        jobId,
        outcome: 'final-state-not-yet',
        error: answer.kind === 'error' ? answer.message : `still ${answer.kind === 'found' ? answer.job.state : 'unknown'}`,
      });
      return;
    }
    await sleep(pause);
    pause = Math.min(2000, Math.round(pause * 1.5));
  }
}

/**
 * Delivers what the spool holds, oldest first, after finishing the ends whose jobs Slurm has settled.
 * Stops at the first event that must wait (collector away, token refused): the rest would fare the same.
 * One flush runs at a time; a second one leaves the work to the first.
 */
export async function flush(ctx: HookContext, options: FlushOptions): Promise<FlushReport> {
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 10_000;
  const squeueTimeoutMs = options.squeueTimeoutMs ?? 5_000;
  const report: FlushReport = {
    delivered: 0,
    alreadyApplied: 0,
    rejected: 0,
    waiting: 0,
    awaitingFinalState: 0,
    dropped: 0,
    error: null,
    skipped: null,
  };
  ctx.spool.ensure();
  const waitedFor: string[] = [];
  if (options.waitFor !== null) {
    const ids = ctx.spool
      .list()
      .filter((e) => e.record.pending?.job.jobId === options.waitFor)
      .map((e) => e.record.body.eventId);
    await waitForFinalState(ctx, options.waitFor, squeueTimeoutMs);
    waitedFor.push(...ids);
  }

  const lock = new FlushLock(ctx.spool.dir);
  const lockDeadline = Date.now() + (options.lockWaitMs ?? (options.waitFor !== null ? 30_000 : 0));
  while (!lock.tryAcquire()) {
    if (Date.now() >= lockDeadline) {
      report.skipped = 'another flush is running';
      return summarize(ctx, report);
    }
    await sleep(200);
  }
  try {
    removeStaleTemps(ctx.spool.dir);
    const sender = senderOf(ctx.config);
    const attempted = new Set<string>();
    const asked = new Set<string>(waitedFor);
    let slurmReachable = true;
    // A few passes: events that appear meanwhile (an epilog's end finished by its own background step) go too.
    for (let pass = 0; pass < 5 && report.error === null; pass++) {
      for (const entry of ctx.spool.list().filter((e) => e.record.pending !== undefined)) {
        if (!slurmReachable) break;
        // Slurm is asked once per job and flush; the background step has just asked about its own.
        if (asked.has(entry.record.body.eventId)) continue;
        asked.add(entry.record.body.eventId);
        const { resolution, answer } = await resolveOnce(ctx, entry, squeueTimeoutMs);
        if (resolution === 'slurm-unreachable') {
          slurmReachable = false;
          ctx.log.write({ command: 'flush', outcome: 'slurm-unreachable', error: answer.kind === 'error' ? answer.message : '' });
        }
      }
      const ready = ctx.spool
        .list()
        .filter((e) => e.record.pending === undefined && !attempted.has(e.record.body.eventId) && (e.record.heldUntil ?? 0) <= Date.now())
        .sort(deliveryOrder);
      if (ready.length === 0) break;
      for (const entry of ready) {
        attempted.add(entry.record.body.eventId);
        const result: Delivery = await deliverEntry(ctx.spool, entry, sender, deliveryTimeoutMs);
        ctx.log.write({
          command: 'flush',
          jobId: entry.record.body.jobId,
          eventId: entry.record.body.eventId,
          outcome: result.outcome === 'delivered' && !result.applied ? 'already-applied' : result.outcome,
          ...(result.outcome !== 'delivered' ? { error: result.message } : {}),
        });
        if (result.outcome === 'delivered') {
          if (result.applied) report.delivered++;
          else report.alreadyApplied++;
        } else if (result.outcome === 'rejected') report.rejected++;
        else {
          report.error = result.message;
          break;
        }
      }
    }
  } finally {
    lock.release();
  }
  return summarize(ctx, report);
}

/** Counts what is left; logs the run (its last line) unless it found nothing to do and left nothing. */
function summarize(ctx: HookContext, report: FlushReport): FlushReport {
  const left = ctx.spool.list();
  report.awaitingFinalState = left.filter((e) => e.record.pending !== undefined).length;
  report.waiting = left.length - report.awaitingFinalState;
  report.dropped = ctx.spool.droppedCount();
  const { delivered, alreadyApplied, rejected, waiting, awaitingFinalState, error, skipped } = report;
  if (delivered + alreadyApplied + rejected + waiting + awaitingFinalState > 0 || skipped !== null) {
    ctx.log.write({ command: 'flush', outcome: 'done', delivered, alreadyApplied, rejected, waiting, awaitingFinalState, error, skipped });
  }
  return report;
}
