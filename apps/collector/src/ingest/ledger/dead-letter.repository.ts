import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { DATABASE } from '../../database/database.module';
import type { DeadLetter } from '../dead-letter';

/** PostgreSQL refuses NUL in text; a dead letter keeps the message whatever it holds, so NUL is written escaped. */
const escapeNul = (text: string): string => text.replaceAll('\u0000', '\\u0000');

/** The dead_letters table: messages set aside, each with its reason and its text as received. */
@Injectable()
export class DeadLetterRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /** Records a dead letter once per (queue, job id): a redelivered bad message is not recorded twice. */
  async record(letter: DeadLetter, now: number): Promise<boolean> {
    return this.handle.db.transaction().execute(async (tx) => {
      if (letter.jobId !== null) {
        const seen = await tx
          .selectFrom('dead_letters')
          .select('id')
          .where('queue', '=', letter.queue)
          .where('job_id', '=', escapeNul(letter.jobId))
          .executeTakeFirst();
        if (seen !== undefined) return false;
      }
      await tx
        .insertInto('dead_letters')
        .values({
          queue: letter.queue,
          job_id: letter.jobId === null ? null : escapeNul(letter.jobId),
          reason: letter.reason,
          detail: escapeNul(letter.detail),
          payload: escapeNul(letter.payload),
          received_at: now,
        })
        .execute();
      return true;
    });
  }
}
