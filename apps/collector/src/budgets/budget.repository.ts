import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle, NewRow, Row } from '@wattprint/db';
import { sql } from 'kysely';
import { DATABASE } from '../database/database.module';

export type BudgetRecord = Row<'budgets'>;

/** A running job of a team with the forecast it was launched from. */
export interface RunningForecast {
  jobId: string;
  startedAt: number;
  result: string;
}

@Injectable()
export class BudgetRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  newId(): string {
    return `bg_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
  }

  async insert(row: NewRow<'budgets'>): Promise<void> {
    await this.handle.db.insertInto('budgets').values(row).execute();
  }

  async replace(id: string, row: Omit<NewRow<'budgets'>, 'id' | 'created_at'>): Promise<boolean> {
    const result = await this.handle.db.updateTable('budgets').set(row).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(id: string): Promise<boolean> {
    return this.handle.db.transaction().execute(async (trx) => {
      const result = await trx.deleteFrom('budgets').where('id', '=', id).executeTakeFirst();
      await trx.deleteFrom('budget_alerts').where('budget_id', '=', id).execute();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async find(id: string): Promise<BudgetRecord | undefined> {
    return this.handle.db
      .selectFrom('budgets')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
      .then((r) => r && normalize(r));
  }

  /** Every budget, or one team's. */
  async list(team: string | null): Promise<BudgetRecord[]> {
    let q = this.handle.db.selectFrom('budgets').selectAll().orderBy('team').orderBy('id');
    if (team !== null) q = q.where('team', '=', team);
    return (await q.execute()).map(normalize);
  }

  /** The team's (and project's) running jobs launched from a stored forecast, with that forecast's result. */
  async runningForecasts(team: string, project: string | null): Promise<RunningForecast[]> {
    let q = this.handle.db
      .selectFrom('jobs as j')
      .innerJoin('forecasts as f', 'f.id', 'j.forecast_id')
      .select(['j.id as jobId', sql<number>`coalesce(j.started_at, j.first_seen_at)`.as('startedAt'), 'f.result'])
      .where('j.state', '=', 'running')
      .where('j.team', '=', team);
    if (project !== null) q = q.where('j.project', '=', project);
    return (await q.execute()).map((r) => ({ jobId: r.jobId, startedAt: Number(r.startedAt), result: r.result }));
  }
}

/** PostgreSQL returns bigint as text: epoch ms back to numbers. */
function normalize(r: BudgetRecord): BudgetRecord {
  return {
    ...r,
    amount: Number(r.amount),
    period_from: r.period_from === null ? null : Number(r.period_from),
    period_to: r.period_to === null ? null : Number(r.period_to),
    created_at: Number(r.created_at),
    updated_at: Number(r.updated_at),
  };
}
