import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';
import { nodeHoursFromHourly } from '../node-hours';

/**
 * energy_node_hourly: the hourly ledger summed per (hour, node, device kind), for the reads that
 * never name a job (usage by node or site, the cluster-wide panels). energy_hourly holds a row per
 * device and job, about ten a node-hour on an 8-GPU node with RAPL; a 30-day read of 1,000 GPUs
 * scanned 719,000 of them (docs/scale.md). Filled from energy_hourly here, then kept in step by the
 * fold and by ingest's late-hour path.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('energy_node_hourly')
    .addColumn('hour_start', 'bigint', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('device_kind', 'text', (c) => c.notNull())
    .addColumn('joules', 'double precision', (c) => c.notNull())
    .addColumn('idle_joules', 'double precision', (c) => c.notNull())
    .addColumn('samples', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_node_hourly_pk', ['hour_start', 'node', 'device_kind'])
    .execute();
  // migrations run before any ingest or fold of this process starts, and each is one transaction
  await nodeHoursFromHourly(null, null).execute(db);
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.dropTable('energy_node_hourly').execute();
}
