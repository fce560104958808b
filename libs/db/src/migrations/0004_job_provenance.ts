import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Who said what about a job, so a scheduler's word outranks an agent's guess and an agent speaks
 * only for its own node:
 * - jobs.field_sources: JSON {field: "scheduler" | "agent"} of the metadata and times set so far;
 * - jobs.exit_state (COMPLETED, FAILED, CANCELLED… as the scheduler names it) and jobs.nodes (JSON
 *   array of the nodes the scheduler gave the job);
 * - job_nodes: per job and node, when that node's agent saw the job start and end; a job that no
 *   scheduler ended is ended once every node that ran it has ended;
 * - forecasts.team: the team of the token that created a forecast, so team viewers see their own;
 * - agents_public: the agents without their HMAC keys, for readers such as Grafana that must never
 *   be able to sign a batch.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('field_sources', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('exit_state', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('nodes', 'text').execute();
  await db.schema.alterTable('forecasts').addColumn('team', 'text').execute();
  await db.schema
    .createTable('job_nodes')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addPrimaryKeyConstraint('job_nodes_pk', ['job_id', 'node'])
    .execute();
  await sql`CREATE VIEW agents_public AS SELECT id, node, created_at, last_seen_at FROM agents`.execute(db);
  if (dialect === 'postgres') {
    await sql`COMMENT ON VIEW agents_public IS 'agents without their HMAC keys: what read-only roles may see'`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP VIEW agents_public`.execute(db);
  await db.schema.dropTable('job_nodes').execute();
  await db.schema.alterTable('forecasts').dropColumn('team').execute();
  for (const column of ['nodes', 'exit_state', 'field_sources']) await db.schema.alterTable('jobs').dropColumn(column).execute();
}
