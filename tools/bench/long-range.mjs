// Long-range benchmark: a synthetic ledger of a large fleet over a year, written straight into
// PostgreSQL (hourly rollups for --days, minute buckets for the last --minute-days, jobs, sites,
// PUE and hourly intensity), then every report endpoint of a real collector process timed over the
// last day, week, 30 days, 180 days and 365 days (--ranges): reading whole folded hours from the rollup (as shipped) against
// reading minutes only (rollup_state.folded_until cleared), where the minutes exist. Rows are
// written in time order, as the collector writes them (a minute's buckets arrive together, a fold
// writes an hour's rows together), so a range's rows sit on neighbouring pages as they would.
//
//   npm run build && node tools/bench/long-range.mjs [--gpus 1000] [--days 365] [--minute-days 35] [--repeat 5] [--modes rollups,minutes] [--ranges 1,7,30,180,365]
//
// Prints p50/p95 per endpoint and range, the rows each read must scan (from the ledger plan the
// collector uses: hourly rows plus minute rows), and the ratio minute-only / rollups. --keep keeps
// the schema for another run (--reuse <schema>). Panel SQL of the dashboards: tools/bench/panel-sql.mjs.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atLeast, benchCommand, freePort, POSTGRES_OPTION, waitUntil } from './bench-support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const pg = require('pg');
const { sql } = require('kysely');
const {
  connect,
  ensureBucketPartition,
  groupHoursFromHourly,
  markDaysOfHours,
  migrateToLatest,
  monthsBetween,
  nodeHoursFromHourly,
  siteHoursFromNodeHours,
} = require(join(root, 'libs/db/dist/index.js'));
const { planRange, splitDays } = require(join(root, 'apps/collector/dist/reports/ledger-source.js'));
const { dashboards, expandMacros, shippedYearlyAverages } = require(join(root, 'libs/dashboards/dist/index.js'));

const args = benchCommand(
  'long-range.mjs',
  'Every report endpoint and dashboard panel over 1, 7, 30, 180 and 365 days of a synthetic fleet ledger (docs/scale.md)',
)
  .option('--gpus <n>', 'GPUs of the fleet', atLeast(1, true), 1000)
  .option('--gpus-per-node <n>', 'GPUs a node', atLeast(1, true), 8)
  .option('--days <n>', 'days of hourly rollups', atLeast(1, true), 365)
  .option('--minute-days <n>', 'the last days that also have minute buckets', atLeast(0, true), 35)
  .option('--job-hours <n>', 'length of each job, back to back on every GPU', atLeast(1, true), 6)
  .option('--repeat <n>', 'reads of each endpoint and panel (p50 and p95 of them)', atLeast(1, true), 5)
  .option(...POSTGRES_OPTION)
  .option('--keep', 'keep the loaded schema (for --reuse)', false)
  .option('--reuse <schema>', 'read a schema an earlier --keep run loaded, instead of loading one')
  .option('--timeout-ms <ms>', 'a read slower than this is cut and shown as such', atLeast(1, true), 30000)
  // minute-only reads over weeks of minutes take minutes each: `--modes rollups` leaves them out
  .option('--modes <list>', 'rollups, minutes (minute buckets only) or both, comma-separated', 'rollups,minutes')
  // `--ranges 1` times the one-day reads alone; 7 and 180 are the org view's worst cases (its time
  // series step by the hour up to a week, and read whole days past it)
  .option('--ranges <list>', 'which ranges to read, in whole days ending at the current hour, comma-separated', '1,7,30,180,365')
  .parse()
  .opts();
const MODES = args.modes.split(',').map((m) => ({ rollups: 'rollups', minutes: 'minutes only' })[m.trim()]);
if (MODES.length === 0 || MODES.some((m) => m === undefined)) {
  console.error(`--modes: got "${args.modes}"; expected rollups, minutes or both, comma-separated`);
  process.exit(2);
}
// checked before anything is loaded: a bad list must not cost a ten-minute load
const RANGE_DAYS = args.ranges.split(',').map((d) => d.trim());
if (RANGE_DAYS.length === 0 || RANGE_DAYS.some((d) => !/^[1-9][0-9]*$/.test(d))) {
  console.error(`--ranges: got "${args.ranges}"; expected whole numbers of days (1 or more), comma-separated`);
  process.exit(2);
}
const GPUS = args.gpus;
const PER_NODE = args.gpusPerNode;
const NODES = Math.ceil(GPUS / PER_NODE);
const DAYS = args.days;
const MINUTE_DAYS = args.minuteDays;
const JOB_HOURS = args.jobHours;
const REPEAT = args.repeat;
/** A read slower than this is cut and shown as such: a year of a large fleet can take minutes a panel. */
const TIMEOUT_MS = args.timeoutMs;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW_HOUR = Math.floor(Date.now() / HOUR) * HOUR;
const FIRST_HOUR = NOW_HOUR - DAYS * 24 * HOUR;
const MINUTES_FROM = NOW_HOUR - MINUTE_DAYS * DAY;

const admin = new pg.Client({ connectionString: args.postgres });
await admin.connect();
const schema = args.reuse ?? `wp_longrange_${randomBytes(4).toString('hex')}`;
const url = `${args.postgres}${args.postgres.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

async function timed(what, fn) {
  const started = process.hrtime.bigint();
  const result = await fn();
  console.error(`  ${what}: ${(Number(process.hrtime.bigint() - started) / 1e9).toFixed(1)} s`);
  return result;
}

/** The synthetic year, set-based in PostgreSQL: every GPU runs back-to-back jobs of --job-hours. */
async function load() {
  await admin.query(`CREATE SCHEMA ${schema}`);
  const handle = connect({ url, poolSize: 1 });
  await migrateToLatest(handle.db, 'postgres');
  await handle.close();
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  console.error(`loading ${GPUS} GPUs (${NODES} nodes) x ${DAYS} days of hours, ${MINUTE_DAYS} days of minutes into ${schema}`);
  await db.query('SET synchronous_commit = off');
  await timed('sites, nodes, PUE, intensity', async () => {
    await db.query(`INSERT INTO sites (id, name, region, created_at) VALUES ('fra', 'Frankfurt', 'DE', 0), ('par', 'Paris', 'FR', 0)`);
    await db.query(`INSERT INTO site_pue (site_id, valid_from, pue) VALUES ('fra', 0, 1.42), ('par', 0, 1.15), ('fra', $1, 1.38)`, [
      NOW_HOUR - 90 * DAY,
    ]);
    await db.query(
      `INSERT INTO nodes (name, site_id) SELECT 'node-' || n, CASE WHEN n % 2 = 0 THEN 'fra' ELSE 'par' END FROM generate_series(0, $1 - 1) n`,
      [NODES],
    );
    await db.query(
      `INSERT INTO grid_intensity (region, period_start, period_end, g_per_kwh, source, kind, revised_at)
       SELECT r, h, h + 3600000, CASE WHEN r = 'DE' THEN 300 ELSE 50 END + 100 * sin(h / 3600000.0 / 24 * 6.283), 'bench', 'actual', 0
       FROM unnest(ARRAY['DE', 'FR']) r, generate_series($1::bigint, $2::bigint, 3600000) h`,
      [FIRST_HOUR, NOW_HOUR],
    );
  });
  const jobsPerGpu = Math.ceil((DAYS * 24) / JOB_HOURS);
  await timed(`jobs (${(GPUS * jobsPerGpu).toLocaleString('en')})`, () =>
    db.query(
      `INSERT INTO jobs (id, state, inferred, name, "user", team, project, cluster, started_at, ended_at, first_seen_at, last_seen_at)
       SELECT 'j-' || g || '-' || k, 'ended', 0, 'train-' || k, 'user-' || (g % 200), 'team-' || (g % 20), 'project-' || (g % 50), 'c1',
         s, s + $3::bigint, s, s + $3::bigint
       FROM generate_series(0, $1 - 1) g, generate_series(0, $2 - 1) k, LATERAL (SELECT $4::bigint + k * $3::bigint AS s) t`,
      [GPUS, jobsPerGpu, JOB_HOURS * HOUR, FIRST_HOUR],
    ),
  );
  const hourly = `SELECT 'j-' || g || '-' || ((h - $3::bigint) / ($4::bigint)), 'node-' || (g / $5), 'gpu' || (g % $5), 'gpu', h,
      (200 + (g % 7) * 50 + 100 * sin(h / 7200000.0)) * 3600, 3600, 3600000, 400.0`;
  await timed(`hourly rollups (${(GPUS * DAYS * 24).toLocaleString('en')} rows)`, () =>
    db.query(
      `INSERT INTO energy_hourly (job_id, node, device, device_kind, hour_start, joules, samples, duration_ms, peak_power_w)
       ${hourly} FROM generate_series($3::bigint, $2::bigint - 3600000, 3600000) h, generate_series(0, $1 - 1) g ORDER BY h, g`,
      [GPUS, NOW_HOUR, FIRST_HOUR, JOB_HOURS * HOUR, PER_NODE],
    ),
  );
  // the rollup by node, a day at a time as folds write it (a fold takes at most 24 hours)
  const byNode = connect({ url, poolSize: 1 });
  await timed(`hourly rollups by node (${(NODES * DAYS * 24).toLocaleString('en')} rows)`, async () => {
    for (let h = FIRST_HOUR; h < NOW_HOUR; h += DAY) await nodeHoursFromHourly(h, Math.min(h + DAY, NOW_HOUR)).execute(byNode.db);
  });
  await timed(`hourly rollups by site`, async () => {
    for (let h = FIRST_HOUR; h < NOW_HOUR; h += DAY)
      await siteHoursFromNodeHours({ from: h, to: Math.min(h + DAY, NOW_HOUR) }).execute(byNode.db);
  });
  await timed(`hourly rollups by job group`, async () => {
    for (let h = FIRST_HOUR; h < NOW_HOUR; h += DAY)
      await groupHoursFromHourly({ from: h, to: Math.min(h + DAY, NOW_HOUR) }).execute(byNode.db);
  });
  await byNode.close();
  // minutes: each hourly row's energy spread evenly over its sixty minutes, so both agree exactly;
  // their months' partitions first, as the collector would have made them
  const partitions = connect({ url, poolSize: 1 });
  for (const month of monthsBetween(MINUTES_FROM, NOW_HOUR + DAY)) await ensureBucketPartition(partitions.db, month);
  await partitions.close();
  for (let day = 0; day < MINUTE_DAYS; day++) {
    const from = MINUTES_FROM + day * DAY;
    await timed(`minutes of day ${day + 1}/${MINUTE_DAYS} (${(GPUS * 1440).toLocaleString('en')} rows)`, () =>
      db.query(
        `INSERT INTO energy_buckets (job_id, node, device, device_kind, minute_start, hour_start, joules, samples, duration_ms, peak_power_w)
         SELECT e.job_id, e.node, e.device, 'gpu', e.hour_start + m * 60000, e.hour_start, e.joules / 60, 60, 60000, e.peak_power_w
         FROM energy_hourly e, generate_series(0, 59) m WHERE e.hour_start >= $1 AND e.hour_start < $2
         ORDER BY e.hour_start + m * 60000, e.node, e.device`,
        [from, from + DAY],
      ),
    );
  }
  await db.query('UPDATE rollup_state SET folded_until = $1', [NOW_HOUR]);
  // every day marked, as the fold marks the days it writes: the collector derives the daily rollups
  const marks = connect({ url, poolSize: 1 });
  await markDaysOfHours(marks.db, sql`SELECT hour_start FROM energy_node_hourly`);
  await marks.close();
  // as autovacuum leaves a table loaded long ago: statistics, and a visibility map for index-only scans
  await timed('VACUUM ANALYZE', () =>
    db.query('VACUUM (ANALYZE) energy_hourly, energy_node_hourly, energy_site_hourly, energy_group_hourly, energy_buckets, jobs'),
  );
  await db.end();
}

// a failure leaves no schema behind, unless --keep asked for it
process.on('uncaughtException', async (error) => {
  console.error(error);
  if (!args.keep) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  process.exit(1);
});
if (args.reuse === undefined) await load();

const port = await freePort();
const child = spawn(process.execPath, [join(root, 'apps/collector/dist/main.js')], {
  env: {
    PATH: process.env.PATH,
    DATABASE_URL: url,
    PORT: String(port),
    WATTPRINT_ROLE: 'api',
    WATTPRINT_RATE_LIMIT_PER_MINUTE: '1000000',
    WATTPRINT_QUEUE_PREFIX: `{${schema}}`,
    WATTPRINT_MINUTE_RETENTION_DAYS: String(MINUTE_DAYS),
    // passes of the daily rollups a second apart, so the days loaded are derived while this waits
    WATTPRINT_MAINTENANCE_EVERY_MS: '1000',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
await waitUntil('the collector', async () => (await fetch(`${base}/ready`).catch(() => null))?.ok, 120_000, 200);
{
  const marked = new pg.Client({ connectionString: url });
  await marked.connect();
  // the days a pass can derive: whole days folded (the current day, partly loaded, waits for its end)
  const count = async () =>
    Number(
      (await marked.query('SELECT count(*) FROM daily_dirty, rollup_state WHERE day_start + 86400000 <= rollup_state.folded_until')).rows[0]
        .count,
    );
  const days = await count();
  await timed(`daily rollups derived by the collector (${days} days)`, () =>
    waitUntil('the daily rollups', async () => (await count()) === 0, 3_600_000, 500),
  );
  // as autovacuum would by the time anyone reads a year: statistics and visibility of the tables the
  // passes wrote (the job totals are counted from their index alone once their pages are all-visible)
  await marked.query('VACUUM (ANALYZE) energy_group_daily, energy_node_daily, energy_job_daily, energy_job_total');
  await marked.end();
}
// an admin token of this run, written as an operator would (only its hash is stored)
const token = `wp_bench_${randomBytes(16).toString('hex')}`;
await admin.query(
  `INSERT INTO ${schema}.api_tokens (id, name, token_hash, role, team, agent_id, created_at, last_used_at, revoked_at)
   VALUES ($1, 'long-range bench', $2, 'admin', NULL, NULL, $3, NULL, NULL)`,
  [`tok_${randomBytes(8).toString('hex')}`, createHash('sha256').update(token).digest('hex'), Date.now()],
);
const auth = { Authorization: `Bearer ${token}` };

const iso = (ms) => new Date(ms).toISOString();

// budgets as teams keep them: each team's quarter in CO2eq, and one of its projects over the last
// 365 days in kWh; listing them evaluates every one (deleted at the end, so a --reuse run adds none)
const budgetIds = [];
for (const { team, project } of (await admin.query(`SELECT team, MIN(project) AS project FROM ${schema}.jobs GROUP BY team ORDER BY team`))
  .rows) {
  for (const body of [
    { name: `${team} quarter`, team, unit: 'kgCO2eq', amount: 1e6, period: 'quarter' },
    {
      name: `${project} year`,
      team,
      project,
      unit: 'kWh',
      amount: 1e7,
      period: 'custom',
      from: iso(NOW_HOUR - 365 * DAY),
      to: iso(NOW_HOUR),
    },
  ]) {
    const res = await fetch(`${base}/api/v1/budgets`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`creating budget ${body.name}: ${res.status} ${await res.text()}`);
    budgetIds.push((await res.json()).id);
  }
}
// a job from over half the history ago (its minutes long gone), and one from yesterday
const OLD_DAYS = Math.floor(DAYS * 0.55);
const oldJob = `j-7-${Math.floor((DAYS * 24 - OLD_DAYS * 24) / JOB_HOURS)}`;
const recentJob = `j-7-${Math.floor((DAYS * 24 - 30) / JOB_HOURS)}`;
// ranges end at the current hour and start off the hour, as people ask
// (a range longer than the history reads all of it); usage by the hour up to a week, the longest the
// collector answers by the hour (query.schemas.ts MAX_HOURLY_USAGE_RANGE_MS), longer ones by the day
const ranges = [...new Set(RANGE_DAYS.map(Number))].map((n) => ({
  label: n === 1 ? '1 day' : `${n} days`,
  days: Math.min(n, DAYS),
  bucket: n <= 7 ? 'hour' : 'day',
}));
const endpoints = (r) => {
  const from = iso(NOW_HOUR - r.days * DAY + 17 * 60_000);
  const to = iso(NOW_HOUR);
  return [
    ...['team', 'user', 'project', 'node', 'site'].map((g) => [
      `usage groupBy=${g}`,
      `/api/v1/usage?groupBy=${g}&bucket=${r.bucket}&from=${from}&to=${to}`,
    ]),
    [`usage team=team-3 csv`, `/api/v1/usage?groupBy=user&team=team-3&bucket=${r.bucket}&from=${from}&to=${to}&format=csv`],
    [`jobs team=team-3`, `/api/v1/jobs?team=team-3&from=${from}&to=${to}&limit=50`],
    [`emission factors`, `/api/v1/emission-factors?node=node-3&from=${iso(NOW_HOUR - Math.min(r.days, 31) * DAY)}&to=${to}`],
  ];
};

/** Reads by day that the collector answers from the daily rollups, whole days of them. */
const DAILY_OF = {
  'usage groupBy=node': 'energy_node_daily',
  'usage groupBy=team': 'energy_group_daily',
  'usage groupBy=user': 'energy_group_daily',
  'usage groupBy=project': 'energy_group_daily',
  'usage team=team-3 csv': 'energy_group_daily',
};

/** Usage reads that name no job: the collector answers them from the rollup by node, by site or by job group. */
const ROLLUP_OF = {
  'usage groupBy=node': 'energy_node_hourly',
  'usage groupBy=site': 'energy_site_hourly',
  'usage groupBy=team': 'energy_group_hourly',
  'usage groupBy=user': 'energy_group_hourly',
  'usage groupBy=project': 'energy_group_hourly',
  'usage team=team-3 csv': 'energy_group_hourly',
};

/**
 * Rows a ranged read must scan: for a read by day from `dailyTable`, the daily rows of its whole
 * days; then hourly rows of the whole folded hours left (from `table`: the rollup by node, site or
 * job group for reads that name no job) plus minute rows of the rest.
 */
async function rowsScanned(db, from, to, foldedUntil, table, dailyTable) {
  const window = { foldedUntil, minutesFrom: foldedUntil === null ? null : Math.min(NOW_HOUR - MINUTE_DAYS * DAY, foldedUntil) };
  const split = dailyTable === undefined ? { days: [], rest: [{ from, to }] } : splitDays(from, to, window, new Set());
  const count = async (text, params) => Number((await db.query(text, params)).rows[0].count);
  let rows = 0;
  // a count, not a timed read: not cut by --timeout-ms
  await db.query('SET statement_timeout = 0');
  for (const d of split.days)
    rows += await count(`SELECT count(*) FROM ${dailyTable} WHERE day_start >= $1 AND day_start < $2`, [d.from, d.to]);
  for (const r of split.rest) {
    const plan = planRange(r.from, r.to, window);
    if (plan.hours)
      rows += await count(`SELECT count(*) FROM ${table} WHERE hour_start >= $1 AND hour_start < $2`, [plan.hours.from, plan.hours.to]);
    for (const m of plan.minutes)
      rows += await count(
        'SELECT count(*) FROM energy_buckets WHERE minute_start >= $1 AND minute_start < $2 AND hour_start >= $3 AND hour_start < $2',
        [m.from, m.to, Math.floor(m.from / HOUR) * HOUR],
      );
  }
  await db.query(`SET statement_timeout = ${TIMEOUT_MS}`);
  return rows;
}

async function time(path) {
  const ms = [];
  let bytes = 0;
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now();
    let res;
    let body;
    try {
      res = await fetch(`${base}${path}`, { headers: auth, signal: AbortSignal.timeout(TIMEOUT_MS) });
      body = await res.arrayBuffer();
    } catch (error) {
      if (error.name !== 'TimeoutError') throw error;
      return { p50: Infinity, p95: Infinity, bytes: 0 }; // cut: shown as "> timeout"
    }
    ms.push(performance.now() - started);
    bytes = body.byteLength;
    if (!res.ok) throw new Error(`${path}: ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
  }
  ms.sort((a, b) => a - b);
  return { p50: ms[Math.floor(ms.length / 2)], p95: ms[Math.min(ms.length - 1, Math.ceil(ms.length * 0.95) - 1)], bytes };
}

const db = new pg.Client({ connectionString: url });
await db.connect();
await db.query(`SET statement_timeout = ${TIMEOUT_MS}`);
// panels run as Grafana's reader role would: deploy/postgres/10-grafana-reader.sh sets it without JIT
await db.query('SET jit = off');
const results = [];

// the generated dashboards' panels, with Grafana's macros expanded as its PostgreSQL data source does
async function timePanels(r) {
  const from = NOW_HOUR - r.days * DAY + 17 * 60_000;
  const to = NOW_HOUR;
  const intervalMs = Math.max(60_000, Math.round((to - from) / 1000)); // a ~1000 px wide panel
  const out = [];
  for (const [file, dashboard] of dashboards(shippedYearlyAverages())) {
    const vars = {};
    for (const v of dashboard.templating?.list ?? []) {
      vars[v.name] = (await db.query(expandMacros(v.query, { from, to, intervalMs, variables: vars }))).rows.map((row) =>
        String(Object.values(row)[0]),
      );
    }
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      for (const target of panel.targets) {
        const text = expandMacros(target.rawSql, { from, to, intervalMs, variables: vars });
        const ms = [];
        for (let i = 0; i < REPEAT; i++) {
          const started = performance.now();
          try {
            await db.query(text);
          } catch (error) {
            if (error.code !== '57014') throw error; // statement_timeout: shown as "> timeout"
            ms.push(Infinity);
            break;
          }
          ms.push(performance.now() - started);
        }
        ms.sort((a, b) => a - b);
        out.push({
          name: `panel ${file.replace('.json', '')} / ${panel.title}`,
          p50: ms[Math.floor(ms.length / 2)],
          p95: ms[ms.length - 1],
        });
      }
    }
  }
  return out;
}
for (const mode of MODES) {
  await db.query('UPDATE rollup_state SET folded_until = $1', [mode === 'rollups' ? NOW_HOUR : null]);
  for (const r of ranges) {
    if (mode === 'minutes only' && r.days > MINUTE_DAYS) continue; // no minutes there to read
    for (const [name, path] of endpoints(r)) {
      const t = await time(path);
      const from = NOW_HOUR - r.days * DAY + 17 * 60_000;
      results.push({
        mode,
        range: r.label,
        name,
        ...t,
        rows: name.startsWith('usage')
          ? await rowsScanned(
              db,
              from,
              NOW_HOUR,
              mode === 'rollups' ? NOW_HOUR : null,
              ROLLUP_OF[name] ?? 'energy_hourly',
              r.bucket === 'day' ? DAILY_OF[name] : undefined,
            )
          : null,
      });
    }
    for (const panel of await timePanels(r)) results.push({ mode, range: r.label, ...panel, rows: null });
    // as it goes, so a run stopped early keeps what it measured
    for (const x of results.filter((y) => y.mode === mode && y.range === r.label))
      console.error(`  ${mode}, ${r.label}: ${x.name}: ${x.p95 === Infinity ? `> ${TIMEOUT_MS} ms (cut)` : `${x.p95.toFixed(0)} ms`}`);
  }
  for (const [name, id] of [
    [`job page, ${OLD_DAYS} days old`, oldJob],
    ['job page, recent', recentJob],
  ]) {
    if (mode === 'minutes only' && id === oldJob) continue; // its minutes are past retention
    results.push({ mode, range: '-', name, ...(await time(`/api/v1/jobs/${id}`)), rows: null });
  }
  results.push({ mode, range: '-', name: `budgets, ${budgetIds.length} with status`, ...(await time('/api/v1/budgets')), rows: null });
}
for (const id of budgetIds) await fetch(`${base}/api/v1/budgets/${id}`, { method: 'DELETE', headers: auth });
await db.query('UPDATE rollup_state SET folded_until = $1', [NOW_HOUR]);
await db.query('SET statement_timeout = 0'); // counts and sizes, not timed reads
const sizes = (
  await db.query(`SELECT (SELECT count(*) FROM energy_hourly) AS hourly, (SELECT count(*) FROM energy_buckets) AS minutes,
    pg_size_pretty(pg_total_relation_size('energy_hourly')) AS hourly_size,
    (SELECT count(*) FROM energy_node_hourly) AS node_hourly, pg_size_pretty(pg_total_relation_size('energy_node_hourly')) AS node_hourly_size,
    (SELECT count(*) FROM energy_site_hourly) AS site_hourly, (SELECT count(*) FROM energy_group_hourly) AS group_hourly,
    (SELECT count(*) FROM energy_group_daily) AS group_daily, (SELECT count(*) FROM energy_node_daily) AS node_daily,
    (SELECT pg_size_pretty(sum(pg_total_relation_size(c.oid))) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'energy_buckets'::regclass) AS minutes_size`)
).rows[0];
await db.end();
child.kill('SIGTERM');
await new Promise((r) => child.on('exit', r));

console.log(
  `\nlong-range benchmark: ${GPUS.toLocaleString('en')} GPUs (${NODES} nodes) x ${DAYS} days; ${Number(sizes.hourly).toLocaleString('en')} hourly rows (${sizes.hourly_size}), ` +
    `${Number(sizes.node_hourly).toLocaleString('en')} hourly rows by node (${sizes.node_hourly_size}), ${Number(sizes.site_hourly).toLocaleString('en')} by site, ` +
    `${Number(sizes.group_hourly).toLocaleString('en')} by job group, ${Number(sizes.group_daily).toLocaleString('en')} daily by job group, ` +
    `${Number(sizes.node_daily).toLocaleString('en')} daily by node, ` +
    `${Number(sizes.minutes).toLocaleString('en')} minute rows over ${MINUTE_DAYS} days (${sizes.minutes_size}); ${REPEAT} runs each; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${cpus().length} CPUs)`,
);
console.log(
  '| range | endpoint | rollups p50 / p95 ms | rows scanned | minutes only p50 / p95 ms | rows scanned | minutes / rollups (p95) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of results.filter((x) => x.mode === 'rollups')) {
  const m = results.find((x) => x.mode === 'minutes only' && x.range === r.range && x.name === r.name);
  const rows = (n) => (n === null ? '' : n.toLocaleString('en'));
  const ms = (t) => (t.p95 === Infinity ? `> ${TIMEOUT_MS} (cut)` : `${t.p50.toFixed(0)} / ${t.p95.toFixed(0)}`);
  const ratio = m && m.p95 !== Infinity && r.p95 !== Infinity ? `${(m.p95 / r.p95).toFixed(1)}x` : m ? 'n/a' : '';
  console.log(
    `| ${r.range} | ${r.name} | ${ms(r)} | ${rows(r.rows)} | ${m ? ms(m) : MODES.includes('minutes only') ? 'n/a (no minutes kept)' : 'not run (--modes)'} | ${m ? rows(m.rows) : ''} | ${ratio} |`,
  );
}
const worst = Math.max(...results.filter((x) => x.mode === 'rollups').map((x) => x.p95));
console.log(
  `slowest endpoint with rollups: p95 ${worst === Infinity ? `> ${TIMEOUT_MS} (cut at --timeout-ms)` : worst.toFixed(0)} ms  (target < 1000 ms)`,
);
if (!args.keep) await admin.query(`DROP SCHEMA ${schema} CASCADE`);
else console.log(`kept schema ${schema}: --reuse ${schema}`);
await admin.end();
