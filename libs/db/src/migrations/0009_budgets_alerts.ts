import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Budgets and their alerts:
 * - budgets: an amount of facility energy (kWh) or CO2eq (kg) a team (optionally one project of it)
 *   may use per calendar month, quarter (UTC) or one custom [from, to) period, with thresholds.
 * - budget_alerts: one row per (budget, period start, threshold) ever crossed: the primary key is
 *   what makes an alert fire once, whichever replica evaluates first.
 * - webhook_outbox: the signed deliveries to make, written in the same transaction as the alert, so
 *   an alert is never lost across restarts; a replica claims due rows with a lease (lease_until).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('budgets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('team', 'text', (c) => c.notNull())
    .addColumn('project', 'text')
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('amount', 'double precision', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('period_from', 'bigint')
    .addColumn('period_to', 'bigint')
    .addColumn('thresholds', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('budgets_team_idx').on('budgets').columns(['team']).execute();
  await db.schema
    .createTable('budget_alerts')
    .addColumn('budget_id', 'text', (c) => c.notNull())
    .addColumn('period_start', 'bigint', (c) => c.notNull())
    .addColumn('threshold', 'double precision', (c) => c.notNull())
    .addColumn('spent', 'double precision', (c) => c.notNull())
    .addColumn('raised_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('budget_alerts_pk', ['budget_id', 'period_start', 'threshold'])
    .execute();
  await db.schema
    .createTable('webhook_outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('leased_by', 'text')
    .addColumn('delivered_at', 'bigint')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('webhook_outbox_due_idx').on('webhook_outbox').columns(['delivered_at', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_outbox').execute();
  await db.schema.dropTable('budget_alerts').execute();
  await db.schema.dropTable('budgets').execute();
}
