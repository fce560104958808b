// Forecast benchmark: a 10,000-trial random search and a 1,000-point grid, each timed as the
// median of several runs and compared with a baseline measured in the same run: a plain loop over
// the same trials that computes only the FLOPs of each configuration (no energy model, no search
// statistics). Run after building the library:
//
//   npx tsc -b libs/estimation/tsconfig.lib.json && node tools/bench/forecast.mjs
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'libs', 'estimation', 'dist', 'index.js');
if (!existsSync(dist)) {
  console.error('libs/estimation is not built: run `npx tsc -b libs/estimation/tsconfig.lib.json` first');
  process.exit(1);
}
const { forecast, explainForecast } = createRequire(import.meta.url)(dist);

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WARMUP = 3;

const units = [32, 64, 96, 128, 192, 256, 384, 512, 768, 1024];
const depth = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const batchSize = [16, 32, 48, 64, 96, 128, 192, 256, 384, 512];

function denseNet(search) {
  return {
    model: {
      input: [784],
      layers: [
        { type: 'dense', units: '$units', repeat: '$depth', activation: 'relu' },
        { type: 'dropout', rate: 0.2 },
        { type: 'dense', units: 10 },
      ],
    },
    hardware: { profile: 'nvidia-a100-sxm4-80gb' },
    training: { samples: 60000, epochs: 10, batchSize: '$batchSize' },
    search,
    site: { pue: 1.2, intensity: 380 },
  };
}

const randomSpec = denseNet({
  strategy: 'random',
  trials: 10000,
  seed: 1,
  space: { units, depth, batchSize, lr: { min: 1e-4, max: 1e-1, log: true } },
});
// 10 × 10 × 10 = 1,000 points, every one with its own cost.
const gridSpec = denseNet({ strategy: 'grid', space: { units, depth, batchSize } });

/** The baseline: the FLOPs of every trial's configuration, drawn or enumerated, in a plain loop. */
function denseFlops(u, d) {
  return 2 * 784 * u + u + (d - 1) * (2 * u * u + u) + d * u + u + 2 * u * 10 + 10;
}
function baselineRandom(trials) {
  let seed = 1;
  const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296;
  let total = 0;
  for (let i = 0; i < trials; i++) total += denseFlops(units[(next() * 10) | 0], depth[(next() * 10) | 0]) * 60000 * 10;
  return total;
}
function baselineGrid() {
  let total = 0;
  for (const u of units) for (const d of depth) for (let b = 0; b < batchSize.length; b++) total += denseFlops(u, d) * 60000 * 10;
  return total;
}

/** Median ms per call; a call too quick to time alone is repeated within each sample. */
function medianMs(fn) {
  for (let i = 0; i < WARMUP; i++) fn();
  let repeat = 1;
  for (let t = process.hrtime.bigint(); Number(process.hrtime.bigint() - t) < 1e6; repeat *= 2) {
    t = process.hrtime.bigint();
    for (let i = 0; i < repeat; i++) fn();
  }
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    for (let r = 0; r < repeat; r++) fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6 / repeat);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const cases = [
  ['random search, 10,000 trials', () => forecast(randomSpec), () => baselineRandom(10000)],
  ['grid, 1,000 points', () => forecast(gridSpec), () => baselineGrid()],
  ['random search + what-if (explain)', () => explainForecast(randomSpec), () => baselineRandom(10000)],
  ['grid + what-if (explain)', () => explainForecast(gridSpec), () => baselineGrid()],
];

console.log(`node ${process.version}, median of ${RUNS} runs after ${WARMUP} warm-up runs`);
console.log('case                                  forecast ms  baseline ms   ratio  target');
for (const [name, run, baseline] of cases) {
  const ms = medianMs(run);
  const base = medianMs(baseline);
  const target = name.includes('explain') ? '' : ms < 100 ? '< 100 ms ok' : '> 100 ms MISSED';
  console.log(
    `${name.padEnd(36)}  ${ms.toFixed(2).padStart(11)}  ${base.toFixed(3).padStart(11)}  ${(ms / base).toFixed(0).padStart(6)}×  ${target}`,
  );
}
