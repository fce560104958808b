// The collector's last steps of a usage report, in memory: merging the answers of a read's stretches
// (mergeAnswers) and ordering and shaping the rows (usageReport), timed against the plain way of
// each measured in the same run — a Map keyed by JSON.stringify for the merge, a comparator of the
// rows' period, key and idle for the order. A year by user and day (200 users, 73,000 rows) is
// what the long-range bench's slowest report answers. Figures are ratios: this machine is noisy.
//
//   npm run build && node tools/bench/usage-order.mjs [--keys 200] [--periods 365] [--runs 9]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { atLeast, benchCommand } from './bench-support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const { mergeAnswers } = require(join(root, 'apps/collector/dist/reports/usage.repository.js'));
const { usageReport } = require(join(root, 'apps/collector/dist/reports/usage-report.js'));

const args = benchCommand('usage-order.mjs', "A usage report's merge and order, against the plain way of each, in one run")
  .option('--keys <n>', 'groups (users) of the report', atLeast(1, true), 200)
  .option('--periods <n>', 'periods (days) of the report', atLeast(2, true), 365)
  .option('--runs <n>', 'runs of each (the median is shown)', atLeast(1, true), 9)
  .parse()
  .opts();

const DAY = 86_400_000;
const P0 = Date.UTC(2025, 11, 7);
// as the database answers: rows in no particular order, a null key and idle rows among them; the
// daily rollups' stretch holds every whole day, the two edges' stretches the first and last day
let seed = 7;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const row = (key, idle, day) => ({
  key,
  idle,
  periodStart: P0 + day * DAY,
  joules: random() * 1e9,
  idleJoules: idle ? 1e6 : 0,
  gpuMs: Math.floor(random() * 1e7),
  facilityJoules: random() * 1e9,
  grams: random() * 1e5,
  estimated: random() < 0.01,
});
const shuffled = (rows) => {
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return rows;
};
const keys = [...Array.from({ length: args.keys - 1 }, (_, k) => `user-${k}`), null];
const daysOf = (from, to) =>
  shuffled(Array.from({ length: to - from }, (_, d) => keys.map((k) => row(k, false, from + d)).concat(row(null, true, from + d))).flat());
const parts = () => [
  { rows: daysOf(1, args.periods - 1), estimatedHours: [] },
  { rows: daysOf(0, 2), estimatedHours: [P0] },
  { rows: daysOf(args.periods - 2, args.periods), estimatedHours: [] },
];

/** The plain ways, as the collector did them until 2026-12-07. */
function plainMerge(answers) {
  const rows = new Map();
  for (const r of answers.flatMap((p) => p.rows)) {
    const key = JSON.stringify([r.key, r.idle, r.periodStart]);
    const seen = rows.get(key);
    rows.set(
      key,
      seen === undefined
        ? { ...r }
        : {
            ...seen,
            joules: seen.joules + r.joules,
            idleJoules: seen.idleJoules + r.idleJoules,
            gpuMs: seen.gpuMs + r.gpuMs,
            facilityJoules: seen.facilityJoules + r.facilityJoules,
            grams: seen.grams + r.grams,
            estimated: seen.estimated || r.estimated,
          },
    );
  }
  return { rows: [...rows.values()], estimatedHours: [...new Set(answers.flatMap((p) => p.estimatedHours))].sort((a, b) => a - b) };
}
const compareKeys = (a, b) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
function plainOrder(sums) {
  return [...sums]
    .sort((a, b) => a.periodStart - b.periodStart || compareKeys(a.key, b.key) || Number(a.idle) - Number(b.idle))
    .map((s) => [new Date(s.periodStart).toISOString(), s.key, s.idle]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function timed(fn, input) {
  const ms = [];
  let out;
  for (let i = 0; i < args.runs; i++) {
    const given = input();
    const started = performance.now();
    out = fn(given);
    ms.push(performance.now() - started);
  }
  return { ms: median(ms), out };
}

// the shipped merge and order must answer what the plain ones do, or the times mean nothing
const check = parts();
const copy = () => check.map((p) => ({ ...p, rows: p.rows.map((r) => ({ ...r })) }));
const byGroup = (rows) => new Map(rows.map((r) => [JSON.stringify([r.key, r.idle, r.periodStart]), r.joules]));
const [a, b] = [byGroup(mergeAnswers(copy()).rows), byGroup(plainMerge(copy()).rows)];
if (a.size !== b.size || [...a].some(([k, j]) => b.get(k) !== j)) throw new Error('mergeAnswers and the plain merge disagree');
const rows = mergeAnswers(copy()).rows;
const shipped = usageReport(rows, []).rows.map((r) => [r.period, r.key, r.idle]);
if (JSON.stringify(shipped) !== JSON.stringify(plainOrder(rows))) throw new Error('usageReport and the plain order disagree');

const merged = timed(mergeAnswers, parts);
const mergedPlain = timed(plainMerge, parts);
const ordered = timed(
  (r) => usageReport(r, []),
  () => rows,
);
const orderedPlain = timed(plainOrder, () => rows);

console.log(
  `${rows.length.toLocaleString('en')} rows (${args.keys} groups × ${args.periods} periods, and idle rows), median of ${args.runs} runs`,
);
console.log('| step | shipped (ms) | plain (ms) | plain / shipped |');
console.log('|---|---|---|---|');
for (const [step, s, p] of [
  ['merge the stretches (mergeAnswers)', merged, mergedPlain],
  ['order and shape the rows (usageReport; plain: a comparator sort, a Date per row)', ordered, orderedPlain],
])
  console.log(`| ${step} | ${s.ms.toFixed(1)} | ${p.ms.toFixed(1)} | ${(p.ms / s.ms).toFixed(1)} |`);
