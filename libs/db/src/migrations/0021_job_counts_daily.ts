import { type Kysely, sql } from 'kysely';
import type { DialectName } from '../dialect';
import { JOB_COUNT_KEY_SQL } from '../job-totals';

/**
 * energy_job_count_daily: the jobs of energy_job_total on one site, counted by first day, site, team
 * and project (team_project_key keeps '' and none apart, as the group rollups' key). The org view's
 * job count over a year counted 1.46 M totals on every read (0.72-0.88 s, docs/scale.md); it sums a
 * row a day and pair here instead, and counts one by one only the jobs that cross the range's last
 * edge or touch a marked day (libs/dashboards/src/sql/job-totals.sql.ts). Kept with the totals,
 * in the same transaction (libs/db/src/job-totals.ts refreshJobTotals), so a count is always that of
 * the totals committed beside it.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('energy_job_count_daily')
    .addColumn('first_day', 'bigint', (c) => c.notNull())
    .addColumn('site_key', 'text', (c) => c.notNull())
    .addColumn('team_project_key', 'text', (c) => c.notNull())
    .addColumn('team', 'text')
    .addColumn('project', 'text')
    .addColumn('jobs', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('energy_job_count_daily_pk', ['first_day', 'site_key', 'team_project_key'])
    .execute();
  // counts fallen to zero, deleted after every change (few: a job's first day moves only as
  // retention deletes its early days)
  await sql`CREATE INDEX energy_job_count_daily_zero ON energy_job_count_daily (first_day) WHERE jobs = 0`.execute(db);
  // the count job-totals.ts keeps, written out here rather than called: a migration runs against the
  // schema of its own time, and 0019 had to stop calling refreshJobTotals once that touched this table
  // (the key's SQL is shared: keys written now and later must be the same)
  await sql`INSERT INTO energy_job_count_daily (first_day, site_key, team_project_key, team, project, jobs)
    SELECT first_day, site_key, ${JOB_COUNT_KEY_SQL}, MAX(team), MAX(project), COUNT(*)
    FROM energy_job_total
    WHERE site_key IS NOT NULL
    GROUP BY first_day, site_key, ${JOB_COUNT_KEY_SQL}`.execute(db);
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.dropTable('energy_job_count_daily').execute();
}
