// The statistics of migration 0020 only help while the panels filter on the very expressions they
// were made for: these tests plan the generated panels' SQL with and without them, and ask that
// with them the rows read from the group rollups are expected many times over what PostgreSQL
// expects without (a few rows where thousands come).
import { type DatabaseHandle, connect, migrateToLatest } from '@wattprint/db';
import { type TestDatabase, createTestDatabase } from '@wattprint/db/testing';
import { type Kysely, sql } from 'kysely';
import { dashboards } from '../src/generate';
import { expandMacros } from '../src/sql/grafana-expand';
import { collectorYearlyAverages, panelSql } from './support/dashboard-queries';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DAY0 = Date.UTC(2026, 9, 1);
const DAYS = 60;
const GROUPS = 50;
const org = dashboards(collectorYearlyAverages()).get('org-view.json')!;

let testDb: TestDatabase;
let handle: DatabaseHandle;

/** Each job group's columns from its number g: on one of two sites, one a site the idle job's. */
const GROUP_COLUMNS = sql`CASE WHEN g % 2 = 0 THEN 'fra' ELSE 'par' END,
  CASE WHEN g % 25 = 0 THEN '' ELSE 'g' || g END,
  CASE WHEN g % 25 = 0 THEN NULL ELSE 'team-' || g % 5 END,
  CASE WHEN g % 25 = 0 THEN NULL ELSE 'project-' || g % 7 END,
  CASE WHEN g % 25 = 0 THEN NULL ELSE 'user-' || g END,
  'c1', 'gpu', 1e6 + g`;

beforeAll(async () => {
  testDb = await createTestDatabase('postgres');
  handle = connect({ url: testDb.url, poolSize: 1 });
  await migrateToLatest(handle.db, handle.dialect);
  await sql`INSERT INTO energy_group_hourly (hour_start, site_key, group_key, team, project, "user", cluster, device_kind, joules, samples, duration_ms)
    SELECT ${DAY0}::bigint + h::bigint * ${HOUR}, ${GROUP_COLUMNS}, 60, ${HOUR}
    FROM generate_series(0, ${DAYS * 24 - 1}) h, generate_series(0, ${GROUPS - 1}) g`.execute(handle.db);
  await sql`INSERT INTO energy_group_daily (day_start, site_key, group_key, team, project, "user", cluster, device_kind, joules,
      duration_ms, facility_joules, grams, estimated_joules, estimated_hours)
    SELECT ${DAY0}::bigint + d::bigint * ${DAY}, ${GROUP_COLUMNS}, ${DAY}, 1.2e6, 1e5, 0, 0
    FROM generate_series(0, ${DAYS - 1}) d, generate_series(0, ${GROUPS - 1}) g`.execute(handle.db);
  await handle.db
    .insertInto('sites')
    .values([
      { id: 'fra', name: 'Frankfurt', region: 'DE', created_at: DAY0 },
      { id: 'par', name: 'Paris', region: 'FR', created_at: DAY0 },
    ])
    .execute();
  await handle.db
    .updateTable('rollup_state')
    .set({ folded_until: DAY0 + DAYS * DAY })
    .execute();
  await sql`ANALYZE energy_group_daily, energy_group_hourly`.execute(handle.db);
}, 60_000);

afterAll(async () => {
  await handle?.close();
  await testDb?.drop();
});

interface PlanNode {
  'Relation Name'?: string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

/** The planner's estimate of the rows a panel reads from `table` (every scan of it summed). */
async function estimatedRows(db: Kysely<unknown>, title: string, table: string, range: { from: number; to: number }): Promise<number> {
  const variables = {
    team: ['(none)', ...Array.from({ length: 5 }, (_, t) => `team-${t}`)],
    project: ['(none)', ...Array.from({ length: 7 }, (_, p) => `project-${p}`)],
    site: ['(unassigned)', 'fra', 'par'],
  };
  const text = expandMacros(panelSql(org, title), { ...range, intervalMs: 60_000, variables });
  const plan = (await sql.raw<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) ${text}`).execute(db)).rows[0][
    'QUERY PLAN'
  ][0].Plan;
  const rows = (node: PlanNode): number =>
    (node['Relation Name'] === table ? node['Plan Rows'] : 0) + (node.Plans ?? []).reduce((s, n) => s + rows(n), 0);
  return rows(plan);
}

class RolledBack extends Error {}

/** `read` with the statistics dropped and the tables analysed again, all rolled back after. */
async function withoutStatistics(read: (db: Kysely<unknown>) => Promise<number>): Promise<number> {
  let result = Number.NaN;
  await handle.db
    .transaction()
    .execute(async (tx) => {
      await sql`DROP STATISTICS energy_group_daily_idle_site_stats, energy_group_hourly_idle_site_stats`.execute(tx);
      await sql`ANALYZE energy_group_daily, energy_group_hourly`.execute(tx);
      result = await read(tx as unknown as Kysely<unknown>);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return result;
}

describe("the group rollups' filter expressions have statistics (migration 0020)", () => {
  // the whole days of the range come from energy_group_daily; all but one a site and day of its rows are jobs'
  const days = { from: DAY0 + 10 * DAY, to: DAY0 + 50 * DAY };
  // a week stepped by the hour reads energy_group_hourly
  const hours = { from: DAY0 + 20 * DAY + 17 * 60_000, to: DAY0 + 27 * DAY };

  it.each([
    ['Users', 'energy_group_daily', days],
    ['GPU-hours by project', 'energy_group_hourly', hours],
  ] as const)('%s: the rows read from %s are expected as such, not as a few', async (title, table, range) => {
    const db = handle.db as unknown as Kysely<unknown>;
    const withStats = await estimatedRows(db, title, table, range);
    const without = await withoutStatistics((tx) => estimatedRows(tx, title, table, range));
    // with none, "not idle" keeps 0.5 % of the rows and the site filter a few % of those (here: 1 and
    // 362 rows expected, 296 and 10,996 with them)
    expect(withStats).toBeGreaterThan(10 * without);
    // rolled back: the statistics are there again
    expect(await estimatedRows(db, title, table, range)).toBe(withStats);
  });
});
