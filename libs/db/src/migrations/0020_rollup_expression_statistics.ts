import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Statistics on the two expressions the dashboards filter the rollups by job group and by site on:
 * the idle flag (`CASE WHEN group_key = '' THEN 1 ELSE 0 END = 0`, "jobs only") and the site
 * (`NULLIF(site_key, '')`, the site variable). PostgreSQL keeps none for an expression unless asked,
 * and took each such filter to keep 0.5 % of the rows: a year of the org view's daily rows, 145,600,
 * was expected as one row, so the marked days were anti-joined to it by 145,600 index lookups and
 * the sums sorted on disk (the Users table over a year: 1.1 s under EXPLAIN ANALYZE, 0.6 s with
 * these). The expressions must stay as libs/dashboards/src/sql writes them (grafana-macros.ts
 * GRAINS, energy.sql.ts PLACES): libs/dashboards/test/planner-statistics.postgres.test.ts checks
 * the estimates of the panels' SQL with and without them. PostgreSQL 14 or later; SQLite
 * has no such statistics and its reports do not read this way.
 */
const TABLES = ['energy_group_hourly', 'energy_group_daily'] as const;

export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const table of TABLES)
    await sql`CREATE STATISTICS IF NOT EXISTS ${sql.id(`${table}_idle_site_stats`)}
      ON (CASE WHEN group_key = '' THEN 1 ELSE 0 END), (NULLIF(site_key, '')) FROM ${sql.table(table)}`.execute(db);
  // what ANALYZE would gather at autovacuum's next pass over them, now, so reads plan with them at once
  for (const table of TABLES) await sql`ANALYZE ${sql.table(table)}`.execute(db);
}

export async function down(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  if (dialect !== 'postgres') return;
  for (const table of TABLES) await sql`DROP STATISTICS IF EXISTS ${sql.id(`${table}_idle_site_stats`)}`.execute(db);
}
