/**
 * The rollup by job group keys each group twice: in SQL when a fold or a regroup sums it
 * (GROUP_KEY_SQL), in TypeScript when a late batch adds to it (groupKeyOf). Were the two to differ
 * for some attribute, one group would live under two keys; were the key to merge two groups, the
 * fold would break on the primary key. Hostile attributes on both databases: quotes, backslashes,
 * `%`, combining marks, astral characters, the empty string, control characters, digits and the
 * key's own ':' and '-' — anything but NUL, which PostgreSQL text cannot hold — or none.
 */
import fc from 'fast-check';
import { type DatabaseHandle, type JobGroup, connect, groupHoursFromHourly, groupKeyOf, migrateToLatest } from './index';
import { DIALECTS, type TestDatabase, createTestDatabase } from './testing';

const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 4 }),
  fc.constantFrom('-', ':', '1:', '12:', '\u0001', '\u001f', '\t', '\u007f', '\u0085', "'", '\\', '%'),
);
const attribute = fc.option(
  fc.array(piece, { maxLength: 4 }).map((parts) => parts.join('')),
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

  /** Folds one hour of the groups' jobs and checks each group's row: once, under the TypeScript key, with its jobs' joules. */
  async function expectOneKeyPerGroup(groups: JobGroup[]): Promise<void> {
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
    const expected = new Map<string, number>([['', 0.5]]);
    for (const [i, j] of jobs.entries()) expected.set(groupKeyOf(j.id, j), (expected.get(groupKeyOf(j.id, j)) ?? 0) + i + 1);
    expect(new Map(rows.map((r) => [r.group_key, r.joules]))).toEqual(expected);
    expect(rows.length).toBe(expected.size);
    // distinct groups, distinct keys
    const distinct = new Set(jobs.map((j) => JSON.stringify([j.team, j.project, j.user, j.cluster])));
    expect(expected.size).toBe(distinct.size + 1);
  }

  it('is the same in SQL and TypeScript, and one key per group', async () => {
    await fc.assert(fc.asyncProperty(fc.array(group, { minLength: 1, maxLength: 8 }), expectOneKeyPerGroup), { numRuns: 40 });
  });

  it('keeps apart the groups a key joined by separators would merge', async () => {
    const g = (team: string | null, project: string | null = null, user: string | null = null, cluster: string | null = null) => ({
      team,
      project,
      user,
      cluster,
    });
    await expectOneKeyPerGroup([
      g('x:y'),
      g('x', 'y-'),
      g('x', 'y'),
      g('-'),
      g(null),
      g(''),
      g('', ''),
      g(null, ''),
      g('1:a'),
      g('3:1:a'),
      g('a\u001fb'),
      g('a', 'b'),
      g('\u0001'),
    ]);
  });
});
