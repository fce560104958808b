/**
 * The rollup by job group keys each group twice: in SQL when a fold or a regroup sums it
 * (GROUP_KEY_SQL), in TypeScript when a late batch adds to it (groupKeyOf). Were the two to differ
 * for some attribute, one group would live under two keys. Hostile attributes on both databases:
 * any printable text (quotes, backslashes, `%`, combining marks, astral characters, the empty
 * string) or none.
 */
import fc from 'fast-check';
import { type DatabaseHandle, type JobGroup, connect, groupHoursFromHourly, groupKeyOf, migrateToLatest } from './index';
import { DIALECTS, type TestDatabase, createTestDatabase } from './testing';

/** What job attributes may hold: printable text (no control characters, as libs/protocol requires), or nothing. */
const attribute = fc.option(
  fc
    .string({ unit: 'grapheme', maxLength: 12 })
    .filter((s) => ![...s].some((c) => c.charCodeAt(0) < 0x20 || (c.charCodeAt(0) >= 0x7f && c.charCodeAt(0) <= 0x9f))),
  { nil: null },
);
const group = fc.record({ team: attribute, project: attribute, user: attribute, cluster: attribute });

describe.each(DIALECTS)('the job group key on %s', (dialect) => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    handle = connect({ url: testDb.url, poolSize: 1 });
    await migrateToLatest(handle.db, dialect);
  });

  afterAll(async () => {
    await handle?.close();
    await testDb?.drop();
  });

  it('is the same in SQL and TypeScript, and one key per group', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(group, { minLength: 1, maxLength: 8 }), async (groups: JobGroup[]) => {
        const db = handle.db;
        await db.deleteFrom('energy_group_hourly').execute();
        await db.deleteFrom('energy_hourly').execute();
        await db.deleteFrom('jobs').execute();
        const jobs = groups.map((g, i) => ({ id: `j${i}`, ...g }));
        await db
          .insertInto('jobs')
          .values(jobs.map((j) => ({ ...j, state: 'running' as const, inferred: 0, first_seen_at: 0, last_seen_at: 0 })))
          .execute();
        const row = (jobId: string, joules: number) => ({
          job_id: jobId,
          node: 'n1',
          device: `gpu-${jobId}`,
          device_kind: 'gpu' as const,
          hour_start: 3_600_000,
          joules,
          samples: 1,
          duration_ms: 1_000,
          peak_power_w: null,
        });
        await db
          .insertInto('energy_hourly')
          .values([...jobs.map((j, i) => row(j.id, i + 1)), row('', 0.5)])
          .execute();
        await groupHoursFromHourly({}).execute(db);
        const rows = await db.selectFrom('energy_group_hourly').selectAll().execute();
        // every group once, under the key TypeScript gives it, with the joules of its jobs
        const expected = new Map<string, number>([['', 0.5]]);
        for (const [i, j] of jobs.entries()) expected.set(groupKeyOf(j.id, j), (expected.get(groupKeyOf(j.id, j)) ?? 0) + i + 1);
        expect(new Map(rows.map((r) => [r.group_key, r.joules]))).toEqual(expected);
        expect(rows.length).toBe(expected.size);
        // distinct groups, distinct keys
        const distinct = new Set(jobs.map((j) => JSON.stringify([j.team, j.project, j.user, j.cluster])));
        expect(expected.size).toBe(distinct.size + 1);
      }),
      { numRuns: 40 },
    );
  });
});
