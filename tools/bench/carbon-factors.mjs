// Emission-factor benchmark: CarbonService.hourFactors for a month of node-hours (1,000 nodes × 744
// hours = 744,000 keys, 5 sites in 5 regions, hourly intensity, a PUE change mid-month) on a real
// database, beside a baseline measured in the same run: building the same 744,000-entry Map of keys
// to one constant factor, with no database and no arithmetic. Run after building the collector:
//
//   npx tsc -b apps/collector/tsconfig.lib.json && node tools/bench/carbon-factors.mjs
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test node tools/bench/carbon-factors.mjs
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'apps', 'collector', 'dist', 'carbon');
const { connect, migrateToLatest } = require(join(root, 'libs', 'db', 'dist', 'index.js'));
const { CarbonService } = require(join(dist, 'carbon.service.js'));
const { SiteRepository } = require(join(dist, 'sites', 'site.repository.js'));
const { IntensityRepository } = require(join(dist, 'intensity', 'intensity.repository.js'));

const { HOUR_MS: H } = require('@wattprint/carbon');
const NODES = Number(process.env.BENCH_NODES ?? 1000);
const HOURS = 744;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const START = Date.UTC(2026, 9, 1);
const REGIONS = ['DE', 'FR', 'GB', 'PL', 'US-CAL-CISO'];

const tmp = mkdtempSync(join(tmpdir(), 'wattprint-bench-'));
const schema = `bench_${process.pid}`;
let url = process.env.BENCH_DATABASE_URL ?? `sqlite:${join(tmp, 'bench.db')}`;
let admin;
if (url.startsWith('postgres')) {
  const pg = require('pg');
  admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  url = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}
const handle = connect({ url });
await migrateToLatest(handle.db, handle.dialect);
const sites = new SiteRepository(handle);
const intensity = new IntensityRepository(handle);
for (const [i, region] of REGIONS.entries()) {
  await sites.create({ id: `s${i}`, name: region, region, createdAt: 0 }, [
    { validFrom: 0, pue: 1.2 + i / 10 },
    { validFrom: START + 400 * H, pue: 1.1 },
  ]);
}
for (let n = 0; n < NODES; n++) await sites.assignNode(`node-${n}`, `s${n % REGIONS.length}`);
const periods = [];
for (const region of REGIONS) {
  for (let h = 0; h < HOURS - 24; h++)
    periods.push({
      region,
      periodStart: START + h * H,
      periodEnd: START + (h + 1) * H,
      gPerKwh: 100 + ((h * 7) % 300),
      kind: 'actual',
      source: 'bench',
      revisedAt: 0,
    });
}
await intensity.upsert(periods);

const keys = [];
for (let n = 0; n < NODES; n++) for (let h = 0; h < HOURS; h++) keys.push({ node: `node-${n}`, hourStart: START + h * H });

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function time(fn) {
  await fn();
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    await fn();
    runs.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(runs);
}

const carbon = new CarbonService(sites, intensity);
const constant = { siteId: 's0', region: 'DE', pue: 1.2, gPerKwh: 400, estimated: false, source: 'bench' };
const baselineMs = await time(async () => {
  const m = new Map();
  for (const k of keys) m.set(`${k.node}@${k.hourStart}`, constant);
  return m;
});
let size = 0;
const factorsMs = await time(async () => {
  size = (await carbon.hourFactors(keys)).size;
});

console.log(
  `database: ${handle.dialect}; ${NODES} nodes × ${HOURS} h = ${keys.length.toLocaleString('en-US')} keys, ${periods.length.toLocaleString('en-US')} intensity periods, median of ${RUNS}`,
);
console.log(
  `baseline (Map of keys to one constant factor): ${baselineMs.toFixed(1)} ms  ${Math.round(keys.length / (baselineMs / 1000)).toLocaleString('en-US')} keys/s`,
);
console.log(
  `CarbonService.hourFactors:                     ${factorsMs.toFixed(1)} ms  ${Math.round(keys.length / (factorsMs / 1000)).toLocaleString('en-US')} keys/s  (${size.toLocaleString('en-US')} factors)`,
);
console.log(`ratio hourFactors / baseline: ${(factorsMs / baselineMs).toFixed(2)}×`);

await handle.close();
if (admin) {
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
}
rmSync(tmp, { recursive: true, force: true });
