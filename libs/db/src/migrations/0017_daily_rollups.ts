import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';
import { markDaysOfHours } from '../daily-rollups';

/**
 * The daily rollups: energy_group_hourly and energy_node_hourly summed per UTC day, with their
 * emissions applied (facility energy, grams CO2eq, the energy and the hours priced with an estimated
 * factor), for reads by day over months: a year by team was 3.5 M group-hours priced one by one
 * (3.9-4.9 s), by node 1.1 M node-hours (1.8-4.6 s; docs/scale.md). A cache of the hourly rows, never the record:
 * every write that changes a day's energy or its factors marks the day in daily_dirty, readers take
 * a marked day from the hours, and the collector derives it again (libs/db/src/daily-rollups.ts).
 * Every day with energy starts marked, so the first passes after the upgrade fill the tables.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('energy_group_daily')
    .addColumn('day_start', 'bigint', (c) => c.notNull())
    .addColumn('site_key', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('project', 'text')
    .addColumn('user', 'text')
    .addColumn('cluster', 'text')
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('facility_joules', 'double precision', (c) => c.notNull())
    .addColumn('grams', 'double precision', (c) => c.notNull())
    .addColumn('estimated_joules', 'double precision', (c) => c.notNull())
    .addColumn('estimated_hours', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_group_daily_pk', ['day_start', 'site_key', 'group_key', 'device_kind'])
    .execute();
  await db.schema
    .createTable('energy_node_daily')
    .addColumn('day_start', 'bigint', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('site_key', 'text', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('idle_joules', 'double precision', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addColumn('facility_joules', 'double precision', (c) => c.notNull())
    .addColumn('grams', 'double precision', (c) => c.notNull())
    .addColumn('estimated_joules', 'double precision', (c) => c.notNull())
    .addColumn('estimated_hours', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_node_daily_pk', ['day_start', 'node', 'device_kind'])
    .execute();
  await db.schema
    .createTable('daily_dirty')
    .addColumn('day_start', 'bigint', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('rollup_state').addColumn('daily_rules', 'text').execute();
  await markDaysOfHours(db, sql`SELECT hour_start FROM energy_node_hourly`);
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('rollup_state').dropColumn('daily_rules').execute();
  await db.schema.dropTable('daily_dirty').execute();
  await db.schema.dropTable('energy_node_daily').execute();
  await db.schema.dropTable('energy_group_daily').execute();
}
