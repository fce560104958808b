import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Forecasts that learn from the ledger, and searches as one thing:
 * - calibration_fits: per hardware profile, the fit of libs/estimation's `calibrate` over the
 *   observations the ledger holds (ended jobs launched from a forecast, with no missing energy);
 *   rewritten by every refit with an upsert, so two replicas refitting at once is harmless;
 * - forecast_outcomes: per such job, its forecast beside its measured IT energy as of the last
 *   refit, for dashboards (the API computes the same live);
 * - searches: a hyperparameter search's spec and its CT forecast; its trials are the jobs labelled
 *   `wattprint.search` = id.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('calibration_fits')
    .addColumn('profile', 'text', (c) => c.primaryKey())
    .addColumn('fit', 'text', (c) => c.notNull())
    .addColumn('observations', 'integer', (c) => c.notNull())
    .addColumn('mape', 'double precision', (c) => c.notNull())
    .addColumn('coverage', 'double precision', (c) => c.notNull())
    .addColumn('fitted_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('forecast_outcomes')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('forecast_id', 'text', (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('ended_at', 'bigint', (c) => c.notNull())
    .addColumn('measured_kwh', 'double precision', (c) => c.notNull())
    .addColumn('forecast_p10_kwh', 'double precision', (c) => c.notNull())
    .addColumn('forecast_p50_kwh', 'double precision', (c) => c.notNull())
    .addColumn('forecast_p90_kwh', 'double precision', (c) => c.notNull())
    .addColumn('recorded_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('forecast_outcomes_ended_at').on('forecast_outcomes').column('ended_at').execute();
  await db.schema
    .createTable('searches')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    .addColumn('team', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('planned_trials', 'integer', (c) => c.notNull())
    .addColumn('forecast_p10_kwh', 'double precision', (c) => c.notNull())
    .addColumn('forecast_p50_kwh', 'double precision', (c) => c.notNull())
    .addColumn('forecast_p90_kwh', 'double precision', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('searches').execute();
  await db.schema.dropTable('forecast_outcomes').execute();
  await db.schema.dropTable('calibration_fits').execute();
}
