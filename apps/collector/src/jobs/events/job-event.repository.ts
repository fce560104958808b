import { Inject, Injectable } from '@nestjs/common';
import { type DatabaseHandle, groupsDiffer, lockRollups, rekeyJobGroups } from '@wattprint/db';
import { DATABASE } from '../../database/database.module';
import { applyJobEvent, type JobEventInput, newJob } from './job-event-merge';

/** What became of an event: applied, seen before (a redelivery), or refused for a job its agent never saw. */
export type JobEventResult = 'applied' | 'duplicate' | 'not-seen';

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
    return this.handle.db.transaction().execute(async (tx) => {
      // Before any row: a fold (which holds it exclusively) either ends before this event reads the
      // hourly rows below or starts after it and reads the job's new attributes. Ingest commits take
      // it shared too, so every transaction takes it before its row locks and none waits in a cycle.
      await lockRollups(tx, this.handle.dialect, 'shared');
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
      if (groupsDiffer(current, outcome.job)) await rekeyJobGroups(tx, event.jobId, current, outcome.job);
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
