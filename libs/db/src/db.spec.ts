import { sql } from 'kysely';
import { IDLE_JOB_ID, connect, dialectOf, groupKeyOf, migrateToLatest } from './index';
import pg from 'pg';
import { DIALECTS, TEST_PG_URL, createTestDatabase, type TestDatabase } from './testing';

/**
 * Append only: a database anywhere may have applied any prefix of this list, and Kysely refuses one
 * whose applied migrations are not a prefix of the code's. A new migration goes at the end.
 */
const ALL_MIGRATIONS = [
  '0001_initial',
  '0002_ingested_batches_agent_seq',
  '0003_energy_buckets_fillfactor',
  '0004_job_provenance',
  '0006_hourly_rollups',
  '0008_ingested_batches_last_t1',
  '0009_budgets_alerts',
  '0010_calibration_searches',
  '0011_grid_intensity_period_indexes',
  '0012_node_hourly_rollups',
  '0013_grid_intensity_period_ranges',
  '0014_site_hourly_rollups',
  '0015_group_hourly_rollups',
  '0016_drop_grid_intensity_period_ranges',
  '0017_daily_rollups',
  '0018_job_daily_rollups',
  '0019_job_totals',
  '0020_rollup_expression_statistics',
  '0021_job_counts_daily',
  '0022_group_daily_team_index',
];

describe('dialectOf', () => {
  it('reads postgres URLs and treats everything else as an SQLite file', () => {
    expect(dialectOf('postgres://u@h:5432/db')).toBe('postgres');
    expect(dialectOf('postgresql://u@h/db')).toBe('postgres');
    expect(dialectOf('sqlite:./.wattprint/wattprint.db')).toBe('sqlite');
    expect(dialectOf('/var/lib/wattprint.db')).toBe('sqlite');
  });
});

describe.each(DIALECTS)('upgrades on %s', (dialect) => {
  it.each(ALL_MIGRATIONS.slice(0, -1).map((name, i) => [name, i] as const))(
    'a database left at %s by an earlier version migrates to the latest',
    async (name, i) => {
      const testDb = await createTestDatabase(dialect);
      const { db, close } = connect({ url: testDb.url });
      try {
        expect(await migrateToLatest(db, dialect, name)).toEqual(ALL_MIGRATIONS.slice(0, i + 1));
        expect(await migrateToLatest(db, dialect)).toEqual(ALL_MIGRATIONS.slice(i + 1));
      } finally {
        await close();
        await testDb.drop();
      }
    },
  );

  it('0012, 0014 and 0015 fill the rollups by node, site and job group from the hourly rows a database already holds; 0017 marks their days', async () => {
    const testDb = await createTestDatabase(dialect);
    const { db, close } = connect({ url: testDb.url });
    try {
      await migrateToLatest(db, dialect, '0011_grid_intensity_period_indexes');
      const row = (job: string, node: string, device: string, kind: 'gpu' | 'cpu', hour: number, joules: number) => ({
        job_id: job,
        node,
        device,
        device_kind: kind,
        hour_start: hour,
        joules,
        samples: 3,
        duration_ms: 2_500,
        peak_power_w: null,
      });
      const h = 1_764_972_000_000; // an hour
      await db
        .insertInto('energy_hourly')
        .values([
          row('j1', 'n1', 'gpu0', 'gpu', h, 1.5e6),
          row('', 'n1', 'gpu1', 'gpu', h, 0.25e6),
          row('j2', 'n1', 'gpu1', 'gpu', h, 1e308 / 4),
          row('j1', 'n1', 'cpu0', 'cpu', h, 3e5),
          row('j1', 'n2', 'gpu0', 'gpu', h + 3_600_000, 7),
        ])
        .execute();
      const job = (id: string, team: string | null, user: string | null) => ({
        id,
        state: 'ended' as const,
        inferred: 0,
        team,
        user,
        cluster: 'c1',
        first_seen_at: h,
        last_seen_at: h,
      });
      await db
        .insertInto('jobs')
        .values([job('j1', 'vision', 'ada'), job('j2', '', null)])
        .execute();
      await migrateToLatest(db, dialect);
      const rows = await db
        .selectFrom('energy_node_hourly')
        .selectAll()
        .orderBy('hour_start')
        .orderBy('node')
        .orderBy('device_kind')
        .execute();
      expect(
        rows.map((r) => [Number(r.hour_start), r.node, r.device_kind, r.joules, r.idle_joules, Number(r.samples), Number(r.duration_ms)]),
      ).toEqual([
        [h, 'n1', 'cpu', 3e5, 0, 3, 2_500],
        [h, 'n1', 'gpu', 1.5e6 + 0.25e6 + 1e308 / 4, 0.25e6, 9, 7_500],
        [h + 3_600_000, 'n2', 'gpu', 7, 0, 3, 2_500],
      ]);
      // 0014: and the rollup by site from those, the nodes without a nodes row under '' (no site)
      const bySite = await db.selectFrom('energy_site_hourly').selectAll().orderBy('hour_start').orderBy('device_kind').execute();
      expect(bySite.map((r) => [Number(r.hour_start), r.site_key, r.device_kind, r.joules, r.idle_joules, Number(r.samples)])).toEqual([
        [h, '', 'cpu', 3e5, 0, 3],
        [h, '', 'gpu', 1.5e6 + 0.25e6 + 1e308 / 4, 0.25e6, 9],
        [h + 3_600_000, '', 'gpu', 7, 0, 3],
      ]);
      // 0015: and the rollup by job group, the idle job's energy a group of its own ('' key, no attributes)
      // sorted here: PostgreSQL's collation may not order the key's control characters as code points do
      const key = (r: { hour_start: number; group_key: string; device_kind: string }) =>
        `${Number(r.hour_start)}|${r.group_key}|${r.device_kind}`;
      const byGroup = (await db.selectFrom('energy_group_hourly').selectAll().execute()).sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(
        byGroup.map((r) => [
          Number(r.hour_start),
          r.site_key,
          r.group_key,
          r.team,
          r.user,
          r.cluster,
          r.device_kind,
          r.joules,
          Number(r.samples),
        ]),
      ).toEqual([
        [h, '', groupKeyOf('j2', { team: '', project: null, user: null, cluster: 'c1' }), '', null, 'c1', 'gpu', 1e308 / 4, 3],
        [h, '', groupKeyOf('j1', { team: 'vision', project: null, user: 'ada', cluster: 'c1' }), 'vision', 'ada', 'c1', 'cpu', 3e5, 3],
        [h, '', groupKeyOf('j1', { team: 'vision', project: null, user: 'ada', cluster: 'c1' }), 'vision', 'ada', 'c1', 'gpu', 1.5e6, 3],
        [h, '', '', null, null, null, 'gpu', 0.25e6, 3],
        [
          h + 3_600_000,
          '',
          groupKeyOf('j1', { team: 'vision', project: null, user: 'ada', cluster: 'c1' }),
          'vision',
          'ada',
          'c1',
          'gpu',
          7,
          3,
        ],
      ]);
      // 0017 (and 0018): every day with energy marked, so the collector derives its daily rows
      const marked = await db.selectFrom('daily_dirty').selectAll().orderBy('day_start').execute();
      const day = (ms: number) => ms - (ms % 86_400_000);
      expect(marked.map((r) => Number(r.day_start))).toEqual([...new Set([day(h), day(h + 3_600_000)])]);
    } finally {
      await close();
      await testDb.drop();
    }
  });

  it('0019 sums the job days a database already holds into one total a job: its span, its one site or none, idle left out', async () => {
    const testDb = await createTestDatabase(dialect);
    const { db, close } = connect({ url: testDb.url });
    const D = 86_400_000;
    const day = (d: number, job_id: string, site_key: string, joules: number) => ({
      day_start: 20_000 * D + d * D,
      job_id,
      site_key,
      team: job_id === 'j1' ? 'vision' : null,
      project: null,
      joules,
      gpu_ms: 1_000 * d + 7,
      facility_joules: joules * 1.25,
      grams: (joules / 3.6e6) * 400,
    });
    try {
      await migrateToLatest(db, dialect, '0018_job_daily_rollups');
      await db
        .insertInto('energy_job_daily')
        .values([
          day(0, 'j1', 'fra', 1e308 / 4),
          day(2, 'j1', 'fra', 0.5),
          day(1, 'j2', 'fra', 3),
          day(2, 'j2', 'par', 4),
          day(1, '', 'fra', 9),
        ])
        .execute();
      await migrateToLatest(db, dialect);
      const totals = await db.selectFrom('energy_job_total').selectAll().orderBy('job_id').execute();
      expect(
        totals.map((t) => [
          t.job_id,
          t.site_key,
          t.team,
          Number(t.first_day),
          Number(t.last_day),
          t.joules,
          Number(t.gpu_ms),
          t.facility_joules,
        ]),
      ).toEqual([
        ['j1', 'fra', 'vision', 20_000 * D, 20_002 * D, 1e308 / 4 + 0.5, 2_014, (1e308 / 4) * 1.25 + 0.625],
        ['j2', null, null, 20_001 * D, 20_002 * D, 7, 3_014, 8.75],
      ]);
    } finally {
      await close();
      await testDb.drop();
    }
  });

  it("0021 counts a database's job totals by first day, site, team and project: '' apart from none, separators in names, multi-site left out", async () => {
    const testDb = await createTestDatabase(dialect);
    const { db, close } = connect({ url: testDb.url });
    const D = 86_400_000;
    const total = (job_id: string, first: number, site_key: string | null, team: string | null, project: string | null) => ({
      job_id,
      site_key,
      team,
      project,
      first_day: first * D,
      last_day: first * D + D,
      joules: 1,
      gpu_ms: 1,
      facility_joules: 1,
      grams: 1,
    });
    try {
      await migrateToLatest(db, dialect, '0020_rollup_expression_statistics');
      await db
        .insertInto('energy_job_total')
        .values([
          total('a', 1, 'fra', '', null),
          total('b', 1, 'fra', null, null),
          total('c', 1, 'fra', null, ''),
          total('d', 1, 'fra', '', null),
          // '1:a' + 'b' and 'a' + '1:b' would share a key written without lengths
          total('e', 1, 'fra', '1:a', 'b'),
          total('f', 1, 'fra', 'a', '1:b'),
          total('g', 1, '', '', null),
          total('h', 2, 'fra', '', null),
          total('multi', 1, null, '', null),
        ])
        .execute();
      await migrateToLatest(db, dialect);
      const counts = await db
        .selectFrom('energy_job_count_daily')
        .select(['first_day', 'site_key', 'team', 'project', 'jobs'])
        .orderBy('first_day')
        .orderBy('site_key')
        .orderBy('team_project_key')
        .execute();
      const rows = counts.map((c) => [Number(c.first_day) / D, c.site_key, c.team, c.project, Number(c.jobs)]);
      expect(new Set(rows.map((r) => JSON.stringify(r)))).toEqual(
        new Set(
          [
            [1, '', '', null, 1],
            [1, 'fra', '', null, 2],
            [1, 'fra', null, null, 1],
            [1, 'fra', null, '', 1],
            [1, 'fra', '1:a', 'b', 1],
            [1, 'fra', 'a', '1:b', 1],
            [2, 'fra', '', null, 1],
          ].map((r) => JSON.stringify(r)),
        ),
      );
      expect(rows).toHaveLength(7);
    } finally {
      await close();
      await testDb.drop();
    }
  });

  it('0016 drops the GiST index of intensity periods that 0013 made (PostgreSQL), nothing reads by it now', async () => {
    const testDb = await createTestDatabase(dialect);
    const { db, close } = connect({ url: testDb.url });
    const gist = async () =>
      dialect === 'postgres'
        ? (
            await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_indexes
            WHERE schemaname = current_schema() AND indexname = 'grid_intensity_period_range_idx'`.execute(db)
          ).rows[0].n
        : 0;
    try {
      await migrateToLatest(db, dialect, '0015_group_hourly_rollups');
      expect(await gist()).toBe(dialect === 'postgres' ? 1 : 0);
      await migrateToLatest(db, dialect);
      expect(await gist()).toBe(0);
    } finally {
      await close();
      await testDb.drop();
    }
  });

  it('names the migration it does not know', async () => {
    const testDb = await createTestDatabase(dialect);
    const { db, close } = connect({ url: testDb.url });
    try {
      await expect(migrateToLatest(db, dialect, '0005_nothing')).rejects.toThrow('no migration named 0005_nothing');
    } finally {
      await close();
      await testDb.drop();
    }
  });
});

describe.each(DIALECTS)('schema on %s', (dialect) => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
  });
  afterAll(() => testDb.drop());

  it('migrates once, then is a no-op, and accumulates bucket energy with an upsert', async () => {
    const { db, close } = connect({ url: testDb.url });
    try {
      expect(await migrateToLatest(db, dialect)).toEqual(ALL_MIGRATIONS);
      expect(await migrateToLatest(db, dialect)).toEqual([]);

      const row = {
        job_id: IDLE_JOB_ID,
        node: 'n1',
        device: 'gpu0',
        device_kind: 'gpu' as const,
        minute_start: 1_764_000_000_000,
        hour_start: 1_763_998_800_000,
        joules: 0.1,
        samples: 1,
        duration_ms: 1000,
        peak_power_w: 61.5,
      };
      for (let i = 0; i < 3; i++) {
        await db
          .insertInto('energy_buckets')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['job_id', 'node', 'device', 'minute_start']).doUpdateSet((eb) => ({
              joules: eb('energy_buckets.joules', '+', eb.ref('excluded.joules')),
              samples: eb('energy_buckets.samples', '+', eb.ref('excluded.samples')),
            })),
          )
          .execute();
      }
      const stored = await db.selectFrom('energy_buckets').selectAll().executeTakeFirstOrThrow();
      // float64 addition, bit for bit: 0.1 + 0.1 + 0.1
      expect(stored.joules).toBe(0.1 + 0.1 + 0.1);
      expect(stored.samples).toBe(3);
      expect(typeof stored.minute_start).toBe('number');
      expect(stored.minute_start).toBe(1_764_000_000_000);

      const dl = await db
        .insertInto('dead_letters')
        .values({ queue: 'samples', job_id: null, reason: 'forged', detail: 'bad hmac', payload: '{}', received_at: 1 })
        .returning('id')
        .executeTakeFirstOrThrow();
      expect(typeof dl.id).toBe('number');

      const n = await sql<{ n: number }>`select count(*) as n from jobs`.execute(db);
      expect(Number(n.rows[0].n)).toBe(0);

      if (dialect === 'postgres') {
        // partitioned by month (the minute above, 2025-11, fell to the default partition), and room on
        // each partition's pages for the new versions of updated buckets (heap-only updates)
        const kind = await sql<{ relkind: string }>`select relkind from pg_class where oid = 'energy_buckets'::regclass`.execute(db);
        expect(kind.rows[0].relkind).toBe('p');
        const parts = await sql<{ name: string; reloptions: string[] | null }>`select c.relname as name, c.reloptions from pg_inherits i
          join pg_class c on c.oid = i.inhrelid where i.inhparent = 'energy_buckets'::regclass order by c.relname`.execute(db);
        expect(parts.rows.length).toBeGreaterThanOrEqual(3);
        expect(parts.rows.map((p) => p.name)).toContain('energy_buckets_default');
        for (const part of parts.rows) expect([part.name, part.reloptions]).toEqual([part.name, ['fillfactor=50']]);
        const fromDefault = await sql<{ n: number }>`select count(*)::int as n from energy_buckets_default`.execute(db);
        expect(fromDefault.rows[0].n).toBe(1);
      }
    } finally {
      await close();
    }
  });
});

describe.each(DIALECTS)('replicas starting together on %s', (dialect) => {
  it('migrate the same database concurrently: each migration applied once, nobody fails', async () => {
    for (let round = 0; round < 5; round++) {
      const testDb = await createTestDatabase(dialect);
      const replicas = [connect({ url: testDb.url }), connect({ url: testDb.url }), connect({ url: testDb.url })];
      try {
        const applied = await Promise.all(replicas.map((r) => migrateToLatest(r.db, dialect)));
        expect(applied.flat().sort()).toEqual(ALL_MIGRATIONS);
        await expect(migrateToLatest(replicas[0].db, dialect)).resolves.toEqual([]);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
        await testDb.drop();
      }
    }
  }, 60_000); // five rounds of every migration, three replicas each: seconds on a loaded machine
});

describe('migrating on PostgreSQL beside other tenants', () => {
  it('brings a schema up to date while other schemas and tables are created and dropped beside it', async () => {
    // Kysely's catalog query names every schema and every table of the database (has_schema_privilege,
    // pg_get_serial_sequence): one dropped while it runs is not ours. Schemas dropped whole, and tables
    // dropped from a schema that stays (as a test suite beside ours drops its own), each by a client of its own.
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    const tableAdmin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    await tableAdmin.connect();
    const keptSchema = `wp_churn_${process.pid}_kept`;
    await tableAdmin.query(`CREATE SCHEMA ${keptSchema}`);
    let churning = true;
    const schemaChurn = (async () => {
      for (let i = 0; churning; i++) {
        const name = `wp_churn_${process.pid}_${i}`;
        await admin.query(`CREATE SCHEMA ${name}; CREATE TABLE ${name}.t (a int, b text, c bigint, d double precision)`);
        await admin.query(`DROP SCHEMA ${name} CASCADE`);
      }
    })();
    const tableChurn = (async () => {
      for (let i = 0; churning; i++) {
        const name = `${keptSchema}.t_${i}`;
        await tableAdmin.query(`CREATE TABLE ${name} (a serial, b text, c bigint, d double precision)`);
        await tableAdmin.query(`DROP TABLE ${name}`);
      }
    })();
    try {
      for (let round = 0; round < 8; round++) {
        const testDb = await createTestDatabase('postgres');
        const { db, close } = connect({ url: testDb.url });
        try {
          expect(await migrateToLatest(db, 'postgres')).toEqual(ALL_MIGRATIONS);
        } finally {
          await close();
          await testDb.drop();
        }
      }
    } finally {
      churning = false;
      await Promise.all([schemaChurn, tableChurn]);
      await tableAdmin.query(`DROP SCHEMA ${keptSchema} CASCADE`);
      await Promise.all([admin.end(), tableAdmin.end()]);
    }
  }, 60_000);

  it('refuses, saying so, a URL whose search_path names no schema that exists (and creates nothing)', async () => {
    const missing = `wp_missing_${process.pid}`;
    const url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${missing}`)}`;
    const { db, close } = connect({ url });
    try {
      await expect(migrateToLatest(db, 'postgres')).rejects.toThrow("the database URL's search_path names no schema that exists");
      const found = await sql<{ n: number }>`select count(*)::int as n from pg_namespace where nspname = ${missing}`.execute(db);
      expect(found.rows[0].n).toBe(0);
    } finally {
      await close();
    }
  });
});
