import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import type { JobEvent } from '@wattprint/protocol';
import { DATABASE } from '../database/database.module';
import { applyJobEvent, newJobFromEvent } from './job-event-merge';

/** Applies job events to the jobs table, each exactly once. */
@Injectable()
export class JobEventRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** Returns false when the event was applied before (a redelivery). */
  async apply(event: JobEvent): Promise<boolean> {
    const now = Date.now();
    return this.handle.db.transaction().execute(async (tx) => {
      const first = await tx
        .insertInto('applied_events')
        .values({ event_id: event.eventId, applied_at: now })
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (first === undefined) return false;
      await tx
        .insertInto('jobs')
        .values({ id: event.jobId, ...newJobFromEvent(event) })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      let select = tx.selectFrom('jobs').selectAll().where('id', '=', event.jobId);
      // Read-modify-write: hold the row so a concurrent event of the same job waits for this one.
      if (this.handle.dialect === 'postgres') select = select.forUpdate();
      const { id: _id, ...current } = await select.executeTakeFirstOrThrow();
      await tx.updateTable('jobs').set(applyJobEvent(current, event)).where('id', '=', event.jobId).execute();
      return true;
    });
  }
}
