import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';
import { siteHoursFromNodeHours } from '../node-hours';

/**
 * energy_site_hourly: the rollup by node summed per (hour, site, device kind), for the reads that
 * name neither a job nor a node (totals and usage by site, the cluster panels but the node table and
 * top jobs). A year of 125 nodes is 1.1 M node-hours; sorting them into 17,500 site-hours was most
 * of a 2.3-4.2 s year-long panel (docs/scale.md). Filled from energy_node_hourly and the nodes'
 * current sites; kept by the fold, the late-hour path and node moves (rekeySites).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('energy_site_hourly')
    .addColumn('hour_start', 'bigint', (c) => c.notNull())
    .addColumn('site_key', 'text', (c) => c.notNull())
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('idle_joules', 'double precision', (c) => c.notNull())
    .addColumn('samples', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_site_hourly_pk', ['hour_start', 'site_key', 'device_kind'])
    .execute();
  await siteHoursFromNodeHours({}).execute(db);
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.dropTable('energy_site_hourly').execute();
}
