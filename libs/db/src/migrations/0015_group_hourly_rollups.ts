import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';
import { groupHoursFromHourly } from '../group-hours';

/**
 * energy_group_hourly: energy_hourly summed per (hour, site, job group, device kind), for the reads
 * by team, project or user. Without it they looked each hourly row's job up among all jobs: a month
 * of 1,000 GPUs is 720,000 index lookups, 3 to 10 s a read (docs/scale.md). Filled from
 * energy_hourly under the jobs' attributes and the nodes' sites as they are now; kept by the fold,
 * the late-hour path, node moves and job changes (libs/db/src/group-hours.ts).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('energy_group_hourly')
    .addColumn('hour_start', 'bigint', (c) => c.notNull())
    .addColumn('site_key', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('project', 'text')
    .addColumn('user', 'text')
    .addColumn('cluster', 'text')
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('samples', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_group_hourly_pk', ['hour_start', 'site_key', 'group_key', 'device_kind'])
    .execute();
  await groupHoursFromHourly({}).execute(db);
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.dropTable('energy_group_hourly').execute();
}
