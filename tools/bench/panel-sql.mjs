// Times every panel query of the generated dashboards on a real PostgreSQL holding a synthetic
// cluster, against a baseline measured in the same run: the bare scan-and-sum of the same buckets
// (SELECT SUM(joules) over the range), which no panel can beat. Figures are ratios to that baseline.
//
//   npm run build           (or: npx tsc -b libs/dashboards/tsconfig.lib.json libs/db/tsconfig.lib.json tools/sim/tsconfig.lib.json)
//   node tools/bench/panel-sql.mjs [--days 3] [--nodes 16] [--gpus 8] [--runs 5]     (or: npx nx run dashboards:bench)
//
// WATTPRINT_TEST_PG picks the server (default postgres://postgres@127.0.0.1:5432/test); the bench
// works in a schema of its own and drops it.
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import { atLeast, benchCommand } from './bench-support.mjs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const { HOUR_MS, MINUTE_MS } = require('@wattprint/carbon');
const { dashboards, expandMacros, shippedYearlyAverages } = require(join(root, 'libs', 'dashboards', 'dist', 'index.js'));
const { connect, migrateToLatest } = require(join(root, 'libs', 'db', 'dist', 'index.js'));
const { createTestDatabase } = require(join(root, 'libs', 'db', 'dist', 'testing.js'));
const { sql } = require('kysely');

const { days, nodes, gpus, runs } = benchCommand(
  'panel-sql.bench.mjs',
  'Grafana panel SQL against a bare SUM(joules) over the same buckets',
)
  .option('--days <n>', 'days of minute buckets seeded', atLeast(1, true), 3)
  .option('--nodes <n>', 'nodes seeded', atLeast(1, true), 16)
  .option('--gpus <n>', 'GPUs per node', atLeast(1, true), 8)
  .option('--runs <n>', 'timed runs of each query (the best counts)', atLeast(1, true), 5)
  .parse()
  .opts();

const HOUR = HOUR_MS;
const to = Date.UTC(2026, 10, 20);
const from = to - days * 24 * HOUR;

async function time(db, text) {
  const times = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    rows = (await sql.raw(text).execute(db)).rows.length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[0], rows };
}

const test = await createTestDatabase('postgres');
const handle = connect({ url: test.url, poolSize: 1 });
try {
  await migrateToLatest(handle.db, handle.dialect);
  const db = handle.db;
  const t0 = Date.now();
  await sql
    .raw(
      `
    INSERT INTO sites VALUES ('fra', 'Frankfurt', 'DE', 0), ('sfo', 'San Francisco', 'US-CAL-CISO', 0);
    INSERT INTO site_pue SELECT s, d, 1.1 + (d / 86400000 % 3) * 0.05 FROM unnest(ARRAY['fra','sfo']) s, generate_series(${from - 7 * 24 * HOUR}::bigint, ${to}::bigint, 86400000::bigint) d;
    INSERT INTO nodes SELECT 'node-' || n, CASE WHEN n % 2 = 0 THEN 'fra' ELSE 'sfo' END FROM generate_series(1, ${nodes}) n;
    INSERT INTO grid_intensity SELECT 'DE', h, h + ${HOUR}, 200 + (h / ${HOUR} % 24) * 10, 'bench', k, h
      FROM generate_series(${from}::bigint, ${to - HOUR}::bigint, ${HOUR}::bigint) h, unnest(ARRAY['actual','forecast']) k;
    INSERT INTO jobs (id, state, inferred, name, "user", team, project, first_seen_at, last_seen_at)
      SELECT 'job-' || j, 'ended', 0, 'train-' || j, 'user-' || (j % 40), 'team-' || (j % 8), 'project-' || (j % 20), ${from}, ${to} FROM generate_series(1, 500) j;
    INSERT INTO energy_buckets
      SELECT CASE WHEN (m / ${MINUTE_MS} + g) % 7 = 0 THEN '' ELSE 'job-' || (1 + (n * 31 + g * 7 + m / ${HOUR} / 6) % 500) END,
        'node-' || n, 'gpu' || g, 'gpu', m, m - m % ${HOUR}, 18000 + g * 100, 60, ${MINUTE_MS}, 320
      FROM generate_series(1, ${nodes}) n, generate_series(0, ${gpus - 1}) g, generate_series(${from}::bigint, ${to - MINUTE_MS}::bigint, ${MINUTE_MS}::bigint) m;
    ANALYZE;
  `,
    )
    .execute(db);
  const buckets = nodes * gpus * days * 24 * 60;
  console.log(
    `seeded ${buckets.toLocaleString('en')} buckets (${days} d × ${nodes} nodes × ${gpus} GPUs, one per minute) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );

  const baseline = await time(db, `SELECT SUM(joules) FROM energy_buckets WHERE minute_start >= ${from} AND minute_start < ${to}`);
  console.log(`baseline: bare SUM(joules) over the range: ${baseline.ms.toFixed(1)} ms (best of ${runs})\n`);
  console.log(['dashboard', 'panel', 'ms', '× baseline', 'rows'].join('\t'));

  const yearly = shippedYearlyAverages();
  // Grafana's interval for a ~1000 px panel over the range.
  const intervalMs = Math.max(MINUTE_MS, Math.round((to - from) / 1000));
  for (const [file, dashboard] of dashboards(yearly)) {
    const vars = {};
    for (const v of dashboard.templating?.list ?? []) {
      vars[v.name] = (await sql.raw(expandMacros(v.query, { from, to, intervalMs, variables: vars })).execute(db)).rows.map((r) =>
        String(Object.values(r)[0]),
      );
    }
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      for (const target of panel.targets) {
        const r = await time(db, expandMacros(target.rawSql, { from, to, intervalMs, variables: vars }));
        console.log([file, panel.title, r.ms.toFixed(1), (r.ms / baseline.ms).toFixed(2), r.rows].join('\t'));
      }
    }
  }
} finally {
  await handle.close();
  await test.drop();
}
