import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { sql } from 'kysely';
import { DATABASE } from '../database/database.module';

export interface ClaimedDelivery {
  id: string;
  event: string;
  body: string;
  attempts: number;
}

export interface RaisedAlert {
  budgetId: string;
  periodStart: number;
  threshold: number;
  spent: number;
  raisedAt: number;
}

@Injectable()
export class WebhookOutboxRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  /**
   * Records the alert unless it was already raised (by this or another replica) and, in the same
   * transaction, its delivery when `body` is given. True when this call raised it.
   */
  async raise(alert: RaisedAlert, delivery: { event: string; body: (id: string) => string } | null): Promise<boolean> {
    return this.handle.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('budget_alerts')
        .values({
          budget_id: alert.budgetId,
          period_start: alert.periodStart,
          threshold: alert.threshold,
          spent: alert.spent,
          raised_at: alert.raisedAt,
        })
        .onConflict((oc) => oc.columns(['budget_id', 'period_start', 'threshold']).doNothing())
        .returning('budget_id')
        .executeTakeFirst();
      if (inserted === undefined) return false;
      if (delivery !== null) {
        const id = `wh_${randomUUID().replaceAll('-', '')}`;
        await trx
          .insertInto('webhook_outbox')
          .values({
            id,
            event: delivery.event,
            body: delivery.body(id),
            created_at: alert.raisedAt,
            attempts: 0,
            next_attempt_at: alert.raisedAt,
            lease_until: null,
            leased_by: null,
            delivered_at: null,
            last_error: null,
          })
          .execute();
      }
      return true;
    });
  }

  /** The (budget, period start, threshold) alerts already raised for these periods. */
  async raised(budgetIds: string[]): Promise<Set<string>> {
    if (budgetIds.length === 0) return new Set();
    const rows = await this.handle.db
      .selectFrom('budget_alerts')
      .select(['budget_id', 'period_start', 'threshold'])
      .where('budget_id', 'in', budgetIds)
      .execute();
    return new Set(rows.map((r) => alertKey(r.budget_id, Number(r.period_start), Number(r.threshold))));
  }

  /**
   * Leases up to `limit` due, undelivered rows to `owner` until `leaseUntil`. One UPDATE: on
   * PostgreSQL the candidates are locked with SKIP LOCKED, so replicas claiming at once take
   * different rows; SQLite runs one writer at a time, so the statement alone is enough. A replica
   * that dies holding a lease loses it when the lease expires, and another delivers the row.
   */
  async claim(owner: string, now: number, leaseUntil: number, limit: number): Promise<ClaimedDelivery[]> {
    const lock = this.handle.dialect === 'postgres' ? sql`FOR UPDATE SKIP LOCKED` : sql``;
    const result = await sql<ClaimedDelivery>`UPDATE webhook_outbox SET lease_until = ${leaseUntil}, leased_by = ${owner}
      WHERE id IN (SELECT id FROM webhook_outbox
        WHERE delivered_at IS NULL AND next_attempt_at <= ${now} AND (lease_until IS NULL OR lease_until < ${now})
        ORDER BY next_attempt_at LIMIT ${limit} ${lock})
      RETURNING id, event, body, attempts`.execute(this.handle.db);
    return result.rows.map((r) => ({ ...r, attempts: Number(r.attempts) }));
  }

  async delivered(id: string, owner: string, at: number): Promise<void> {
    await this.handle.db
      .updateTable('webhook_outbox')
      .set((eb) => ({ delivered_at: at, attempts: eb('attempts', '+', 1), lease_until: null, last_error: null }))
      .where('id', '=', id)
      .where('leased_by', '=', owner)
      .execute();
  }

  async failed(id: string, owner: string, nextAttemptAt: number, error: string): Promise<void> {
    await this.handle.db
      .updateTable('webhook_outbox')
      .set((eb) => ({
        next_attempt_at: nextAttemptAt,
        attempts: eb('attempts', '+', 1),
        lease_until: null,
        last_error: error.slice(0, 500),
      }))
      .where('id', '=', id)
      .where('leased_by', '=', owner)
      .execute();
  }
}

export function alertKey(budgetId: string, periodStart: number, threshold: number): string {
  return `${budgetId}\u0000${periodStart}\u0000${threshold}`;
}
