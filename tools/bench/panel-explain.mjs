// EXPLAIN ANALYZE of one dashboard panel's SQL over a ledger kept by tools/bench/long-range.mjs
// (--keep): where a panel's time goes, as docs/scale.md quotes it. Grafana's macros are expanded as
// the long-range bench does (a ~1000 px panel over the last --days, ending at the current hour).
//
//   npm run build && node tools/bench/long-range.mjs --gpus 1000 --days 365 --minute-days 35 --repeat 1 --modes rollups --keep
//   node tools/bench/panel-explain.mjs --schema wp_longrange_… --panel 'IT energy' --days 30 [--dashboard cluster-accounting.json] [--set 'jit = on']
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atLeast, benchCommand, POSTGRES_OPTION } from './bench-support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const pg = require('pg');
const { dashboards, expandMacros, shippedYearlyAverages } = require(join(root, 'libs/dashboards/dist/index.js'));

const args = benchCommand('panel-explain.mjs', "EXPLAIN ANALYZE of one dashboard panel's SQL over a ledger kept by long-range.mjs --keep")
  .option('--schema <schema>', 'the schema a long-range run kept (its last line says which)')
  .option('--dashboard <file>', 'the generated dashboard', 'cluster-accounting.json')
  .option('--panel <title>', "the panel's title", 'IT energy')
  .option('--days <n>', 'the range, ending at the current hour', atLeast(0), 30)
  // Grafana's reader role runs without JIT (deploy/postgres/10-grafana-reader.sh); --set 'jit = on' shows what it cost
  .option('--set <setting>', "a SET before the EXPLAIN, repeatable; none given: 'jit = off', as Grafana's reader runs", (v, all = []) => [
    ...all,
    v,
  ])
  .option('--print-sql', 'print the expanded SQL instead of explaining it (to try variations by hand in psql)', false)
  .option(...POSTGRES_OPTION)
  .parse()
  .opts();
const settings = args.set ?? ['jit = off'];
const fail = (message) => {
  console.error(message);
  process.exit(2);
};
if (args.schema === undefined) fail('--schema: required, the schema a long-range run kept (its last line says which)');
const dashboard = dashboards(shippedYearlyAverages()).get(args.dashboard);
if (dashboard === undefined)
  fail(`--dashboard: got "${args.dashboard}"; expected one of ${[...dashboards(shippedYearlyAverages()).keys()].join(', ')}`);
const panel = dashboard.panels.find((p) => p.title === args.panel);
if (panel === undefined) fail(`--panel: got "${args.panel}"; expected one of ${dashboard.panels.map((p) => `"${p.title}"`).join(', ')}`);
const days = Number(args.days);
if (!(days > 0)) fail(`--days: got "${args.days}"; expected a positive number`);

const HOUR = 3_600_000;
const to = Math.floor(Date.now() / HOUR) * HOUR;
const from = to - days * 86_400_000 + 17 * 60_000;
const intervalMs = Math.max(60_000, Math.round((to - from) / 1000));

const db = new pg.Client({ connectionString: `${args.postgres}?options=${encodeURIComponent(`-c search_path=${args.schema}`)}` });
await db.connect();
const kept = await db.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [args.schema]);
if (kept.rowCount === 0) {
  await db.end();
  fail(`--schema: got "${args.schema}"; no such schema (run tools/bench/long-range.mjs with --keep: its last line names the schema)`);
}
for (const setting of settings) await db.query(`SET ${setting}`);
const vars = {};
for (const v of dashboard.templating?.list ?? []) {
  vars[v.name] = (await db.query(expandMacros(v.query, { from, to, intervalMs, variables: vars }))).rows.map((row) =>
    String(Object.values(row)[0]),
  );
}
const expanded = expandMacros(panel.targets[0].rawSql, { from, to, intervalMs, variables: vars });
if (args.printSql) console.log(`${expanded};`);
else console.log((await db.query(`EXPLAIN (ANALYZE) ${expanded}`)).rows.map((r) => r['QUERY PLAN']).join('\n'));
await db.end();
