import { Inject, Injectable } from '@nestjs/common';
import { type DatabaseHandle, groupsDiffer, lockRollups, rekeyJobGroups } from '@wattprint/db';
import { DATABASE } from '../../database/database.module';
import { applyJobEvent, type JobEventInput, newJob } from './job-event-merge';

/** What became of an event: applied, seen before (a redelivery), or refused for a job its agent never saw. */
export type JobEventResult = 'applied' | 'duplicate' | 'not-seen';

/**
 * Thrown inside an event's transaction (rolling it back) when, holding the rollup lock shared, it
 * finds it must sum a folded job's group rows again: that takes the lock exclusively, from the start.
 */
class RegroupNeedsExclusiveLock extends Error {}

/** Applies job events to the jobs and job_nodes tables, each exactly once. */
@Injectable()
export class JobEventRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /**
   * Applies an event under its idempotency key, in one transaction with the key. An agent's end or
   * metadata event for a job it has neither started nor sent energy for on its node changes nothing
   * and answers `not-seen`.
   */
  async apply(event: JobEventInput, eventKey: string, now: number): Promise<JobEventResult> {
    try {
      return await this.applyUnder('shared', event, eventKey, now);
    } catch (error) {
      if (!(error instanceof RegroupNeedsExclusiveLock)) throw error;
      return this.applyUnder('exclusive', event, eventKey, now);
    }
  }

  /**
   * The rollup lock comes before any row, as in every transaction that takes it (ingest commits
   * shared, folds and node moves exclusively), so none waits for another in a cycle. Shared, the
   * usual case: no fold runs until this event commits, so one that follows reads the job's new
   * attributes. Exclusive, when the job's group changes and some of its hours are already folded:
   * their group rows are summed again (rekeyJobGroups) with no fold, late batch or other such event
   * beside it. A late batch in a shared event's time reads the job's row FOR SHARE
   * (LateHourRepository), so it waits for this event and adds its energy under the new group.
   */
  private async applyUnder(mode: 'shared' | 'exclusive', event: JobEventInput, eventKey: string, now: number): Promise<JobEventResult> {
    return this.handle.db.transaction().execute(async (tx) => {
      await lockRollups(tx, this.handle.dialect, mode);
      if (event.origin.kind === 'agent' && event.type !== 'start') {
        const node = event.origin.node;
        const started = await tx
          .selectFrom('job_nodes')
          .select('node')
          .where('job_id', '=', event.jobId)
          .where('node', '=', node)
          .executeTakeFirst();
        // the bucket key starts with (job_id, node), so this is an index probe
        const measured =
          started ??
          (await tx
            .selectFrom('energy_buckets')
            .select('node')
            .where('job_id', '=', event.jobId)
            .where('node', '=', node)
            .limit(1)
            .executeTakeFirst());
        if (measured === undefined) return 'not-seen';
      }
      const first = await tx
        .insertInto('applied_events')
        .values({ event_id: eventKey, applied_at: now })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (first === undefined) return 'duplicate';
      await tx
        .insertInto('jobs')
        .values({ id: event.jobId, ...newJob(event.at) })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      let select = tx.selectFrom('jobs').selectAll().where('id', '=', event.jobId);
      // Read-modify-write: hold the row so a concurrent event of the same job waits for this one.
      if (this.handle.dialect === 'postgres') select = select.forUpdate();
      const { id: _id, ...current } = await select.executeTakeFirstOrThrow();
      const nodes = await tx.selectFrom('job_nodes').selectAll().where('job_id', '=', event.jobId).execute();
      const outcome = applyJobEvent(current, nodes, event);
      await tx.updateTable('jobs').set(outcome.job).where('id', '=', event.jobId).execute();
      // the rollup by job group follows the job's attributes, in the hours already folded
      if (groupsDiffer(current, outcome.job)) {
        const folded = await tx.selectFrom('energy_hourly').select('job_id').where('job_id', '=', event.jobId).limit(1).executeTakeFirst();
        if (folded !== undefined && mode === 'shared' && this.handle.dialect === 'postgres') throw new RegroupNeedsExclusiveLock();
        if (folded !== undefined) await rekeyJobGroups(tx, event.jobId, current, outcome.job);
      }
      if (outcome.node !== undefined) {
        const { started_at, ended_at, agent_id } = outcome.node;
        await tx
          .insertInto('job_nodes')
          .values(outcome.node)
          .onConflict((oc) => oc.columns(['job_id', 'node']).doUpdateSet({ started_at, ended_at, agent_id }))
          .execute();
      }
      return 'applied';
    });
  }
}
