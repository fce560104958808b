// Cluster benchmark: how many GPUs one collector process keeps up with, then two.
//
//   npm run build   # or: npx tsc -b apps/collector/tsconfig.lib.json
//   node tools/bench/cluster.mjs [--start-gpus 8000] [--window 30] [--warmup 8] [--budget 540] [--collector-cpu 0.25] [--shards 4]
//
// Simulated agents (8-GPU nodes, 1 Hz readings, a signed 5 s batch per node every 5 s, flushes spread
// evenly) come from --generators processes (tools/bench/cluster.generator.mjs), registered straight in
// the database. The collector(s) (apps/collector/dist/main.js, role worker) write to a fresh PostgreSQL
// schema; Redis is a private redis-server (or --redis URL, with a fresh prefix).
// For each cluster size: warm up, then a measurement window; lag of a batch = commit time - sentAt
// (read back from PostgreSQL); the size is kept up with when every batch sent in the window was
// committed and the p99 lag is under --max-lag seconds. Sizes double until one fails, then bisect.
// --collector-cpu C holds each collector process to C cores with a cgroup CPU quota (root, Linux):
// on a machine too small to give each collector a core of its own, it shows how capacity grows with
// collector processes that each get the same CPU, while the generator, Redis and PostgreSQL get the rest.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { atLeast, benchCommand, freePort, POSTGRES_OPTION, sleep, waitUntil } from './bench-support.mjs';
import { GPUS_PER_NODE, SAMPLES_PER_BATCH, agentIdOf, agentKeyOf, nodeOf } from './cluster.fleet.mjs';
import { capCpu, cpuSeconds, machineTicks, memory, pidsNamed } from './cluster.proc.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const pg = require('pg');

const args = benchCommand('cluster.mjs', 'How many simulated GPUs one collector process keeps up with, then two (docs/quickstart.md)')
  .option('--start-gpus <n>', 'first cluster size', atLeast(GPUS_PER_NODE, true), 16000)
  .option('--max-gpus <n>', 'largest cluster size tried', atLeast(GPUS_PER_NODE, true), 400000)
  .option('--window <s>', 'measured window per size, seconds', atLeast(5), 30)
  .option('--warmup <s>', 'warm-up before each window, seconds', atLeast(0), 8)
  .option('--max-lag <s>', 'p99 lag a size must stay under, seconds', atLeast(1), 10)
  .option('--bisect <n>', 'bisection steps after the first size behind', atLeast(0, true), 2)
  .option('--budget <s>', 'no new size is started past this many seconds', atLeast(60), 540)
  .option('--collectors <list>', 'collector process counts to measure, in order', collectorCounts, [1, 2])
  .option('--generators <n>', 'generator processes', atLeast(1, true), 1)
  .option('--concurrency <n>', "each collector's WATTPRINT_WORKER_CONCURRENCY", atLeast(1, true), 512)
  .option('--collector-cpu <cores>', 'hold each collector process to this CPU share (cgroup quota)', atLeast(0.01))
  .option('--shards <k>', 'queue shards (WATTPRINT_QUEUE_SHARDS of the collectors and the simulated agents)', atLeast(1, true), 1)
  .option('--redis <url>', 'Redis to use (default: a private redis-server)')
  .option(...POSTGRES_OPTION)
  .parse()
  .opts();
function collectorCounts(text) {
  const counts = text.split(',').map(Number);
  if (counts.some((c) => !Number.isInteger(c) || c < 1))
    throw new InvalidArgumentError('expected a comma list of process counts such as 1,2');
  return counts;
}
const START_GPUS = args.startGpus;
const MAX_GPUS = Math.max(args.maxGpus, START_GPUS);
const WINDOW_S = args.window;
const WARMUP_S = args.warmup;
const MAX_LAG_MS = args.maxLag * 1000;
const BISECT = args.bisect;
const BUDGET_MS = args.budget * 1000;
const GENERATORS = args.generators;
const CONCURRENCY = args.concurrency;
const COLLECTOR_CPU = args.collectorCpu ?? null;
const COLLECTOR_COUNTS = args.collectors;

const began = Date.now();
const log = (line) => console.error(`[${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const percentile = (sorted, p) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** A child speaking JSON lines on stdout: `ask(command)` writes a line and resolves with the reply. */
function jsonChild(child) {
  const waiting = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) waiting.shift()?.(JSON.parse(line));
  });
  const next = () => new Promise((r) => waiting.push(r));
  return {
    next,
    ask: (command) => {
      const reply = next();
      child.stdin.write(`${command}\n`);
      return reply;
    },
  };
}

const children = new Set();
let stopping = false;
function spawnChild(name, file, childArgs, env, stdio = ['ignore', 'ignore', 'inherit']) {
  const child = spawn(file, childArgs, { env: { ...process.env, ...env }, stdio });
  child.benchName = name;
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping && !child.expectedExit) {
      console.error(`${name} exited early (${code ?? signal})`);
      cleanup().then(() => process.exit(1));
    }
  });
  return child;
}
async function stopChild(child, signal = 'SIGTERM') {
  if (!children.has(child)) return;
  child.expectedExit = true;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

// ---- Redis, PostgreSQL, the collectors -------------------------------------------------------
let redisUrl = args.redis;
let redisServer = null;
if (!redisUrl) {
  const port = await freePort();
  redisServer = spawnChild(
    'redis-server',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    {},
    ['ignore', 'ignore', 'ignore'],
  );
  redisUrl = `redis://127.0.0.1:${port}`;
  await sleep(300);
}
const prefix = `{wp-cluster-${randomBytes(4).toString('hex')}}`;
const schema = `wp_cluster_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: args.postgres });
await admin.connect();
await admin.query(`CREATE SCHEMA ${schema}`);
const databaseUrl = `${args.postgres}${args.postgres.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
const collectorMain = join(root, 'apps/collector/dist/main.js');
const collectorEnv = {
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  WATTPRINT_QUEUE_PREFIX: prefix,
  WATTPRINT_ROLE: 'worker',
  WATTPRINT_WORKER_CONCURRENCY: String(CONCURRENCY),
  WATTPRINT_QUEUE_SHARDS: String(args.shards),
};
await new Promise((resolve, reject) => {
  const m = spawn(process.execPath, [collectorMain, 'migrate'], {
    env: { ...process.env, ...collectorEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  m.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`migrate exited ${code}; is the collector built (npm run build)?`))));
});

const uncaps = new Set();
async function cleanup() {
  stopping = true;
  await Promise.all([...children].map((c) => stopChild(c)));
  for (const uncap of uncaps) uncap();
  await db.end().catch(() => undefined);
  await admin.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined);
  await admin.end().catch(() => undefined);
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().then(() => process.exit(130)));

async function startCollectors(count) {
  const started = [];
  for (let k = 0; k < count; k++) {
    const port = await freePort();
    const child = spawnChild(`collector ${k + 1}`, process.execPath, [collectorMain], { ...collectorEnv, PORT: String(port) });
    let uncap = () => undefined;
    if (COLLECTOR_CPU !== null) {
      try {
        uncap = capCpu(child.pid, COLLECTOR_CPU, `wattprint-bench-${randomBytes(4).toString('hex')}`);
      } catch (error) {
        console.error(error.message);
        await cleanup();
        process.exit(2);
      }
      uncaps.add(uncap);
    }
    started.push({ child, port, peakRss: 0, uncap });
  }
  for (const c of started) await waitUntil(`collector on port ${c.port}`, () => metricsOf(c).then((t) => t !== ''), 60_000, 100);
  return started;
}
async function metricsOf(collector) {
  try {
    return await (await fetch(`http://127.0.0.1:${collector.port}/metrics`)).text();
  } catch {
    return '';
  }
}
const metric = (text, series) => Number((text.split('\n').find((l) => l.startsWith(`${series} `)) ?? 'x 0').split(' ')[1]);

// ---- simulated agents ------------------------------------------------------------------------
const agentSecret = randomBytes(16).toString('hex');
const generators = [];
for (let k = 0; k < GENERATORS; k++) {
  const child = spawnChild(
    `generator ${k + 1}`,
    process.execPath,
    [join(root, 'tools/bench/cluster.generator.mjs')],
    { REDIS_URL: redisUrl, PREFIX: prefix, AGENT_SECRET: agentSecret, SHARDS: String(args.shards) },
    ['pipe', 'pipe', 'inherit'],
  );
  const rpc = jsonChild(child);
  await rpc.next();
  generators.push({ child, ...rpc, range: [0, 0] });
}
let registered = 0;
async function registerAgents(nodes) {
  for (; registered < nodes;) {
    const chunk = Math.min(1000, nodes - registered);
    const values = [];
    const params = [];
    for (let i = registered; i < registered + chunk; i++) {
      params.push(agentIdOf(i), nodeOf(i), agentKeyOf(agentSecret, i), Date.now());
      values.push(`($${params.length - 3}, $${params.length - 2}, $${params.length - 1}, $${params.length})`);
    }
    await db.query(`INSERT INTO agents (id, node, key, created_at) VALUES ${values.join(', ')}`, params);
    registered += chunk;
  }
}
/** Splits nodes [0, n) into one contiguous range per generator. */
async function setNodes(n) {
  await Promise.all(
    generators.map((g, k) => {
      const from = Math.floor((n * k) / generators.length);
      const to = Math.floor((n * (k + 1)) / generators.length);
      g.range = [from, to];
      return g.ask(`nodes ${from} ${to}`);
    }),
  );
}
let sentTotal = 0;
async function sentBatches() {
  const reports = await Promise.all(generators.map((g) => g.ask('report')));
  return reports.map((r, k) => ({ ...r, range: generators[k].range }));
}

async function queueDrained(collectors, timeoutMs) {
  await waitUntil(
    'the queue to drain',
    async () => {
      const text = await metricsOf(collectors[0]);
      // the samples queue in every state still to be handled (the gauge is by queue and state)
      const depth = ['waiting', 'active', 'prioritized', 'delayed'].reduce(
        (sum, state) => sum + metric(text, `wattprint_queue_depth{queue="samples",state="${state}"}`),
        0,
      );
      return depth === 0;
    },
    timeoutMs,
    250,
  );
}

// ---- one measurement -------------------------------------------------------------------------
function snapshotCpu(pids) {
  return { at: Date.now(), machine: machineTicks(), cpu: new Map(pids.map((p) => [p, cpuSeconds(p)])) };
}
/** Cores used over the window by the processes alive at both ends (a PostgreSQL backend may come and go). */
const cores = (a, b, pids) =>
  pids.reduce((s, p) => {
    const x = a.cpu.get(p);
    const y = b.cpu.get(p);
    return x === null || y === null || x === undefined || y === undefined || y < x ? s : s + (y - x);
  }, 0) /
  ((b.at - a.at) / 1000);

async function measure(collectors, gpus) {
  const nodes = Math.max(1, Math.round(gpus / GPUS_PER_NODE));
  await registerAgents(nodes);
  await setNodes(nodes);
  await sleep(WARMUP_S * 1000);
  const postgresPids = pidsNamed('postgres');
  const pids = [
    ...collectors.map((c) => c.child.pid),
    ...generators.map((g) => g.child.pid),
    ...(redisServer ? [redisServer.pid] : []),
    ...postgresPids,
  ];
  const before = await sentBatches();
  const cpu0 = snapshotCpu(pids);
  const samples0 = (await Promise.all(collectors.map(metricsOf))).reduce((s, t) => s + metric(t, 'wattprint_ingest_samples_total'), 0);
  await sleep(WINDOW_S * 1000);
  const samples1 = (await Promise.all(collectors.map(metricsOf))).reduce((s, t) => s + metric(t, 'wattprint_ingest_samples_total'), 0);
  const cpu1 = snapshotCpu(pids);
  const after = await sentBatches();
  const mem = new Map(pids.map((p) => [p, memory(p)]));
  for (const c of collectors) c.peakRss = Math.max(c.peakRss, mem.get(c.child.pid).rss);
  // The batches each generator sent in the window, and their lags once committed (or the deadline passed).
  const ranges = after.map((a, k) => ({
    from: agentIdOf(a.range[0]),
    to: agentIdOf(a.range[1]),
    t0: before[k].at,
    t1: a.at,
    expected: a.sentBatches - before[k].sentBatches,
  }));
  const expected = ranges.reduce((s, r) => s + r.expected, 0);
  const lagQuery = async () => {
    const lags = [];
    for (const r of ranges) {
      const { rows } = await db.query(
        'SELECT ingested_at - last_t1 AS lag FROM ingested_batches WHERE last_t1 >= $1 AND last_t1 < $2 AND agent_id >= $3 AND agent_id < $4',
        [r.t0, r.t1, r.from, r.to],
      );
      for (const row of rows) lags.push(Number(row.lag));
    }
    return lags;
  };
  let lags = [];
  const deadline = cpu1.at + MAX_LAG_MS + 1000;
  for (;;) {
    lags = await lagQuery();
    if (lags.length >= expected || Date.now() > deadline) break;
    await sleep(500);
  }
  // A batch not committed by the deadline counts with an infinite lag.
  const sorted = [...lags.sort((a, b) => a - b), ...Array(Math.max(0, expected - lags.length)).fill(Infinity)];
  const p99 = percentile(sorted, 99);
  const result = {
    gpus: nodes * GPUS_PER_NODE,
    nodes,
    expected,
    committed: lags.length,
    samplesPerS: (samples1 - samples0) / ((cpu1.at - cpu0.at) / 1000),
    offeredSamplesPerS: (expected * SAMPLES_PER_BATCH) / ((cpu1.at - cpu0.at) / 1000),
    p50: percentile(sorted, 50),
    p99,
    max: sorted[sorted.length - 1],
    // The generators must have offered the nominal load (1 sample per GPU per second), else the
    // machine could not even simulate this cluster and the size proves nothing.
    generatorsKeptUp: (expected * SAMPLES_PER_BATCH) / ((cpu1.at - cpu0.at) / 1000) >= 0.95 * nodes * GPUS_PER_NODE,
    ok: false,
    collectors: collectors.map((c) => ({ cores: cores(cpu0, cpu1, [c.child.pid]), rss: mem.get(c.child.pid).rss })),
    generators: generators.map((g, k) => ({
      cores: cores(cpu0, cpu1, [g.child.pid]),
      rss: mem.get(g.child.pid).rss,
      late: after[k].lateTicks - before[k].lateTicks,
    })),
    redis: redisServer ? { cores: cores(cpu0, cpu1, [redisServer.pid]), rss: mem.get(redisServer.pid).rss } : null,
    postgres: {
      cores: cores(cpu0, cpu1, postgresPids),
      rss: postgresPids.reduce((s, p) => s + mem.get(p).rss, 0),
      processes: postgresPids.length,
    },
    machineBusy: (cpu1.machine.busy - cpu0.machine.busy) / (cpu1.machine.total - cpu0.machine.total),
  };
  result.ok = result.generatorsKeptUp && lags.length >= expected && p99 < MAX_LAG_MS;
  return result;
}

const mib = (b) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
const secs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'not committed');
function describe(r) {
  const parts = [
    `${r.ok ? 'KEPT UP ' : r.generatorsKeptUp ? 'BEHIND  ' : 'GEN SLOW'} ${String(r.gpus).padStart(6)} GPUs (${r.nodes} nodes)`,
    `offered ${Math.round(r.offeredSamplesPerS).toLocaleString('en')} samples/s, ingested ${Math.round(r.samplesPerS).toLocaleString('en')}/s`,
    `lag p50 ${secs(r.p50)} p99 ${secs(r.p99)} max ${secs(r.max)}; ${r.committed}/${r.expected} window batches committed`,
  ];
  const procs = [
    ...r.collectors.map((c, k) => `collector${k + 1} ${(c.cores * 100).toFixed(0)} % ${mib(c.rss)}`),
    ...r.generators.map(
      (g, k) => `generator${k + 1} ${(g.cores * 100).toFixed(0)} % ${mib(g.rss)}${g.late ? ` (${g.late} of its 50 ms ticks late)` : ''}`,
    ),
    ...(r.redis ? [`redis ${(r.redis.cores * 100).toFixed(0)} % ${mib(r.redis.rss)}`] : []),
    `postgres(${r.postgres.processes} procs) ${(r.postgres.cores * 100).toFixed(0)} % ${mib(r.postgres.rss)}`,
    `machine busy ${(r.machineBusy * 100).toFixed(0)} % of ${await_cores} cores`,
  ];
  return `${parts.join('; ')}\n           CPU (of one core) and RSS: ${procs.join(', ')}`;
}
const await_cores = (await import('node:os')).cpus().length;

async function search(collectorCount, startGpus, deadlineAt) {
  log(`${collectorCount} collector process(es): starting`);
  const collectors = await startCollectors(collectorCount);
  const runs = [];
  let best = null;
  let firstFail = null;
  let gpus = startGpus;
  let bisections = 0;
  while (Date.now() + (WARMUP_S + WINDOW_S + MAX_LAG_MS / 1000 + 5) * 1000 < deadlineAt) {
    const r = await measure(collectors, gpus);
    runs.push(r);
    log(describe(r));
    if (r.ok) best = r;
    else firstFail = firstFail === null || r.gpus < firstFail.gpus ? r : firstFail;
    if (!r.ok) {
      // Let the backlog go before the next, smaller size is measured.
      await setNodes(0);
      await queueDrained(collectors, 120_000).catch(() => log('the queue did not drain in 120 s'));
    }
    if (firstFail === null) {
      if (gpus * 2 > MAX_GPUS) break;
      gpus *= 2;
      continue;
    }
    if (bisections >= BISECT) break;
    const low = best ? best.gpus : 0;
    const next = Math.round((low + firstFail.gpus) / 2 / GPUS_PER_NODE) * GPUS_PER_NODE;
    if (next <= low || next >= firstFail.gpus) break;
    gpus = next;
    bisections++;
  }
  await setNodes(0);
  await queueDrained(collectors, 120_000).catch(() => log('the queue did not drain in 120 s'));
  await Promise.all(collectors.map((c) => stopChild(c.child)));
  for (const c of collectors) {
    c.uncap();
    uncaps.delete(c.uncap);
  }
  return { collectorCount, best, firstFail, runs, peakRss: collectors.map((c) => c.peakRss) };
}

// ---- the run ----------------------------------------------------------------------------------
const results = [];
let start = START_GPUS; // each configuration starts at the size the previous one kept up with
for (const [k, count] of COLLECTOR_COUNTS.entries()) {
  // Each configuration gets its share of what is left of the time budget.
  const share = (BUDGET_MS - (Date.now() - began)) / (COLLECTOR_COUNTS.length - k);
  const result = await search(count, start, Date.now() + share);
  results.push(result);
  if (result.best) start = result.best.gpus;
}
sentTotal = (await sentBatches()).reduce((s, a) => s + a.sentBatches, 0);
for (const g of generators) {
  g.child.expectedExit = true;
  g.child.stdin.write('exit\n');
}
await sleep(500);

// Every sample sent was stored exactly once.
const { rows } = await db.query('SELECT coalesce(sum(samples), 0)::bigint AS samples FROM energy_buckets');
const stored = Number(rows[0].samples);
const sent = sentTotal * SAMPLES_PER_BATCH;

console.log(
  `\ncluster benchmark: simulated 8-GPU nodes at 1 Hz, a signed 5 s batch per node every 5 s; ${GENERATORS} generator process(es); PostgreSQL schema, ${redisServer ? 'private redis-server' : redisUrl}`,
);
if (COLLECTOR_CPU !== null) console.log(`each collector process held to ${COLLECTOR_CPU} core(s) by a cgroup CPU quota`);
console.log(
  `window ${WINDOW_S} s after ${WARMUP_S} s warm-up; kept up = the generators offered >= 95 % of 1 sample/GPU/s, every window batch was committed, and p99 lag < ${MAX_LAG_MS / 1000} s; ${await_cores} CPU cores shared by everything (machine busy counts every process on them, other users' too)`,
);
console.log(
  '| collectors | GPUs kept up with | samples/s | lag p50 | lag p99 | CPU per collector | RSS per collector | generator CPU | PostgreSQL CPU | machine busy | first size behind |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  const b = r.best;
  if (!b) {
    console.log(`| ${r.collectorCount} | none of the sizes tried (smallest ${r.runs[0]?.gpus}) | | | | | | | | | |`);
    continue;
  }
  console.log(
    `| ${r.collectorCount} | ${b.gpus.toLocaleString('en')} | ${Math.round(b.samplesPerS).toLocaleString('en')} | ${secs(b.p50)} | ${secs(b.p99)} | ${b.collectors.map((c) => `${(c.cores * 100).toFixed(0)} %`).join(' + ')} | ${b.collectors.map((c) => mib(c.rss)).join(' + ')} | ${b.generators.map((g) => `${(g.cores * 100).toFixed(0)} %`).join(' + ')} | ${(b.postgres.cores * 100).toFixed(0)} % | ${(b.machineBusy * 100).toFixed(0)} % | ${r.firstFail ? `${r.firstFail.gpus.toLocaleString('en')} (${r.firstFail.generatorsKeptUp ? `p99 ${secs(r.firstFail.p99)}` : 'generator could not offer the load'})` : 'none tried'} |`,
  );
}
// A search that stopped because the generator could not offer the next size found a floor set by the
// machine, not the collectors' ceiling: its gain over another is not a measurement.
const machineBound = (r) => r.firstFail !== null && !r.firstFail.generatorsKeptUp;
for (const r of results.filter((x) => x.best && machineBound(x))) {
  console.log(
    `${r.collectorCount} collector(s): at least ${r.best.gpus.toLocaleString('en')} GPUs; the generator could not offer ${r.firstFail.gpus.toLocaleString('en')} on this machine, so the collectors' own limit was not reached`,
  );
}
// the gain of more processes over fewer, whatever order --collectors gave them in
const [fewer, more] = [...results].sort((a, b) => a.collectorCount - b.collectorCount);
if (fewer && more && fewer.best && more.best && more.collectorCount > fewer.collectorCount) {
  const gain = (more.best.gpus / fewer.best.gpus).toFixed(2);
  console.log(
    machineBound(more)
      ? `gain of ${more.collectorCount} processes over ${fewer.collectorCount}: not measured (the machine ran out of CPU for the generator first; ${gain}x is a floor)`
      : `gain of ${more.collectorCount} processes over ${fewer.collectorCount}: ${gain}x GPUs`,
  );
}
console.log(
  `stored samples ${stored.toLocaleString('en')} of ${sent.toLocaleString('en')} sent${stored === sent ? ' (exactly once each)' : ''}; total ${((Date.now() - began) / 1000).toFixed(0)} s`,
);
await cleanup();
if (stored !== sent) {
  console.error('MISMATCH: the collectors did not store every sample exactly once');
  process.exit(1);
}
process.exit(0);
