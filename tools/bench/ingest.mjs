// Ingest benchmark: realistic batches (8 GPUs x 5 s at 1 Hz = 40 samples) produced into local
// Redis and consumed by (a) a no-op BullMQ worker and (b) one collector process writing to
// PostgreSQL, in the same run, on the same Redis, with the same batches and concurrency.
//
//   npx tsc -b apps/collector/tsconfig.lib.json && node tools/bench/ingest.mjs [--batches 10000] [--warmup 3000] [--agents 100] [--concurrency 512 (the collector's default)] [--semi-space 64]
//
// Three phases per consumer:
//   warm-up: --warmup batches (3000) are consumed first and not measured, so both consumers are
//     timed at steady state, not while V8 is still compiling their code;
//   throughput: the producer adds every batch as fast as it can; rate = batches / (last consumed - first added);
//   lag: the producer paces batches at --paced-rate batches/s for --paced-seconds; lag = consumed - sentAt.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { atLeast, benchCommand, freePort, POSTGRES_OPTION, sleep, waitUntil } from './bench-support.mjs';
import { SAMPLES_PER_BATCH, makeNode, nextBatch, protocol } from './cluster.fleet.mjs';
import { memory, cpuSeconds as procCpuSeconds } from './cluster.proc.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const { Queue } = require('bullmq');
const IORedis = require('ioredis');
const pg = require('pg');

const args = benchCommand(
  'ingest.mjs',
  "One collector process's ingest rate against a no-op BullMQ consumer in the same run (docs/collector.md)",
)
  .option('--batches <n>', 'batches timed', atLeast(1, true), 10000)
  .option('--warmup <n>', 'batches each consumer takes before timing', atLeast(0, true), 3000)
  .option('--agents <n>', 'simulated agents, each with its own key', atLeast(1, true), 100)
  .option('--concurrency <n>', "the collector's WATTPRINT_WORKER_CONCURRENCY", atLeast(1, true), 512)
  .option('--semi-space <MiB>', "V8's --max-semi-space-size of both consumers (the collector ships with 64)", atLeast(1, true), 64)
  .option('--paced-rate <n>', 'batches per second of the paced (lag) phase', atLeast(1), 500)
  .option('--paced-seconds <s>', 'length of the paced phase, seconds', atLeast(1), 5)
  .option('--redis <url>', 'Redis (or REDIS_URL)', process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
  .option(...POSTGRES_OPTION)
  .parse()
  .opts();
const BATCHES = args.batches;
const WARMUP = args.warmup;
const AGENTS = args.agents;
const CONCURRENCY = args.concurrency;
const PACED_RATE = args.pacedRate;
const PACED_SECONDS = args.pacedSeconds;

// CPU time of local processes from /proc, so each run can say what a batch costs the consumer, its
// PostgreSQL backends and Redis: CPU per batch moves far less with the machine's load than rates do.
/** User + system CPU seconds of a process, or NaN when it cannot be read (not local, gone): NaN prints as '?'. */
const cpuSeconds = (pid) => procCpuSeconds(pid) ?? NaN;
/** CPU seconds of this process (the producer, and the poller of the consumer) since `since`. */
function producerSeconds(since) {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
}
async function redisPid(connection) {
  const info = await connection.info('server');
  return Number(/process_id:(\d+)/.exec(info)?.[1]);
}
const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/** Agents with keys (the cluster benchmark's simulated nodes), and their consecutive batches in turn. */
function makeFleet() {
  const secret = randomBytes(16).toString('hex');
  const agents = Array.from({ length: AGENTS }, (_, i) => makeNode(i, secret));
  let turn = 0;
  return {
    agents,
    /** The next batch of the next agent, its samples ending at `endMs`. */
    next: (endMs) => nextBatch(agents[turn++ % agents.length], endMs),
  };
}

async function addAll(queue, batches) {
  for (let i = 0; i < batches.length; i += 500) {
    await queue.addBulk(
      batches.slice(i, i + 500).map((b) => ({
        name: protocol.MessageName.Batch,
        data: b,
        opts: { jobId: protocol.batchJobId(b), removeOnComplete: { count: 1000 } },
      })),
    );
  }
}

/** Adds batches at `rate` per second for `seconds`, each stamped with the time it is added. */
async function addPaced(queue, fleet, rate, seconds) {
  const started = Date.now();
  const total = rate * seconds;
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
    const batch = [];
    for (; sent < due; sent++) batch.push(fleet.next(Date.now()));
    if (batch.length > 0) await addAll(queue, batch);
    await sleep(5);
  }
  return total;
}

/** Deletes every Redis key under a prefix: the queues a run created, whatever they are. */
async function dropPrefix(connection, prefix) {
  let cursor = '0';
  do {
    const [next, keys] = await connection.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await connection.del(...keys);
  } while (cursor !== '0');
}

/**
 * Waits until every batch added to the queue has been consumed: none waiting, none active. A job
 * leaves the active list only when its handler has finished (for the collector: after its group
 * commit), so this is when the last batch was done. Both consumers are timed this way, with one
 * cheap Redis call every 20 ms that neither consumer process takes part in.
 */
async function drained(queue, what) {
  await waitUntil(
    what,
    async () => {
      const counts = await queue.getJobCounts('wait', 'active', 'prioritized', 'delayed', 'paused');
      return Object.values(counts).every((n) => n === 0);
    },
    600_000,
    20,
  );
}

function lines(child) {
  const rl = createInterface({ input: child.stdout });
  const waiting = [];
  const queued = [];
  rl.on('line', (line) => {
    if (!line.startsWith('{')) return;
    const msg = JSON.parse(line);
    const w = waiting.shift();
    if (w) w(msg);
    else queued.push(msg);
  });
  return () => (queued.length > 0 ? Promise.resolve(queued.shift()) : new Promise((r) => waiting.push(r)));
}

/**
 * V8 flags of both consumers: the collector ships with a 64 MiB semi-space (deploy/Dockerfile, the
 * systemd unit; docs/collector.md, "The young generation"), and the no-op baseline runs on the same
 * runtime settings.
 */
const CONSUMER_NODE_FLAGS = [`--max-semi-space-size=${args.semiSpace}`];

async function benchNoop(warmBatches, fleetBatches, pacedFleet) {
  const prefix = `{wp-bench-${randomBytes(4).toString('hex')}}`;
  const connection = new IORedis(args.redis, { maxRetriesPerRequest: null });
  const queue = new Queue('samples', { connection, prefix });
  const child = spawn(process.execPath, [...CONSUMER_NODE_FLAGS, join(root, 'tools/bench/ingest.noop-worker.mjs')], {
    env: { ...process.env, REDIS_URL: args.redis, PREFIX: prefix, CONCURRENCY: String(CONCURRENCY) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const next = lines(child);
  await next(); // ready
  const report = async () => {
    child.stdin.write('report\n');
    return next();
  };
  await addAll(queue, warmBatches);
  await drained(queue, 'the no-op worker to warm up');
  await report(); // counts from here
  const redis = await redisPid(connection);
  const cpu0 = { consumer: cpuSeconds(child.pid), redis: cpuSeconds(redis), producer: process.cpuUsage() };
  const t0 = Date.now();
  await addAll(queue, fleetBatches);
  await drained(queue, 'the no-op worker');
  const seconds = (Date.now() - t0) / 1000;
  const { done } = await report();
  if (done !== fleetBatches.length) throw new Error(`the no-op worker handled ${done} of ${fleetBatches.length} batches`);
  const cpu = {
    consumer: cpuSeconds(child.pid) - cpu0.consumer,
    database: 0,
    redis: cpuSeconds(redis) - cpu0.redis,
    producer: producerSeconds(cpu0.producer),
  };
  const pacedStart = Date.now();
  const paced = await addPaced(queue, pacedFleet, PACED_RATE, PACED_SECONDS);
  const lag = [];
  let pacedDone = 0;
  await waitUntil(
    'the paced batches (no-op)',
    async () => {
      const r = await report();
      pacedDone += r.done;
      for (const [sentAt, ms] of r.lags) if (sentAt >= pacedStart) lag.push(ms);
      return pacedDone >= paced;
    },
    600_000,
    20,
  );
  const rss = memory(child.pid).peak;
  child.stdin.write('exit\n');
  await new Promise((r) => child.on('exit', r));
  await queue.close();
  await dropPrefix(connection, prefix);
  connection.disconnect();
  return { seconds, batchesPerS: fleetBatches.length / seconds, lag, rss, cpu };
}

async function benchCollector(fleet, warmBatches, fleetBatches, pacedFleet) {
  const schema = `wp_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: args.postgres });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  // the application name finds the collector's backends in pg_stat_activity, to read their CPU
  const url = `${args.postgres}${args.postgres.includes('?') ? '&' : '?'}application_name=${schema}&options=${encodeURIComponent(`-c search_path=${schema}${process.env.WATTPRINT_BENCH_PG_LOG ? ` -c log_min_duration_statement=${process.env.WATTPRINT_BENCH_PG_LOG}` : ''}`)}`;
  const prefix = `{wp-bench-${randomBytes(4).toString('hex')}}`;
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      ...CONSUMER_NODE_FLAGS,
      ...(process.env.WATTPRINT_BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.WATTPRINT_BENCH_PROFILE] : []),
      join(root, 'apps/collector/dist/main.js'),
    ],
    {
      env: {
        ...process.env,
        DATABASE_URL: url,
        REDIS_URL: args.redis,
        WATTPRINT_QUEUE_PREFIX: prefix,
        WATTPRINT_ROLE: 'worker',
        PORT: String(port),
        WATTPRINT_WORKER_CONCURRENCY: String(CONCURRENCY),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`collector exited early (${code ?? signal})`);
      admin.query(`DROP SCHEMA ${schema} CASCADE`).finally(() => process.exit(1));
    }
  });
  let stopping = false;
  const metrics = async () => {
    try {
      return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    } catch {
      return '';
    }
  };
  const value = (text, series) => Number((text.split('\n').find((l) => l.startsWith(`${series} `)) ?? `x 0`).split(' ')[1]);
  await waitUntil('the collector to start', async () => (await metrics()) !== '', 60_000, 100);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  for (const a of fleet.agents) {
    await db.query('INSERT INTO agents (id, node, key, created_at) VALUES ($1, $2, $3, $4)', [a.agentId, a.node, a.key, Date.now()]);
  }
  const connection = new IORedis(args.redis, { maxRetriesPerRequest: null });
  const queue = new Queue('samples', { connection, prefix });
  const ingested = async () => value(await metrics(), 'wattprint_ingest_batches_total{result="ingested"}');
  const backends = async () =>
    (await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [schema])).rows.map((r) => r.pid);
  await addAll(queue, warmBatches);
  await drained(queue, 'the collector to warm up');
  const afterWarmup = await metrics();
  const redis = await redisPid(connection);
  // the pool opens connections as the load needs them; one opened during the phase counts from its start
  const warm = await backends();
  const cpu0 = {
    consumer: cpuSeconds(child.pid),
    database: new Map(warm.map((pid) => [pid, cpuSeconds(pid)])),
    redis: cpuSeconds(redis),
    producer: process.cpuUsage(),
  };
  // the server's WAL position counts every client's writes: run against a private server for a clean figure
  const walAt = async () => (await admin.query('SELECT pg_current_wal_lsn() AS lsn')).rows[0].lsn;
  const wal0 = await walAt();
  const t0 = Date.now();
  await addAll(queue, fleetBatches);
  await drained(queue, 'the collector');
  const seconds = (Date.now() - t0) / 1000;
  const walBytes = Number((await admin.query('SELECT pg_wal_lsn_diff($1, $2) AS bytes', [await walAt(), wal0])).rows[0].bytes);
  const cpu = {
    consumer: cpuSeconds(child.pid) - cpu0.consumer,
    // a backend opened during the phase counts from its start
    database: (await backends()).reduce((sum, pid) => sum + cpuSeconds(pid) - (cpu0.database.get(pid) ?? 0), 0),
    redis: cpuSeconds(redis) - cpu0.redis,
    producer: producerSeconds(cpu0.producer),
  };
  const afterThroughput = await metrics();
  const ingestedNow = value(afterThroughput, 'wattprint_ingest_batches_total{result="ingested"}');
  if (ingestedNow !== warmBatches.length + fleetBatches.length)
    throw new Error(`the collector ingested ${ingestedNow} of ${warmBatches.length + fleetBatches.length} batches`);
  const commits =
    value(afterThroughput, 'wattprint_ingest_group_commit_batches_count') -
    value(afterWarmup, 'wattprint_ingest_group_commit_batches_count');
  const commitSeconds =
    value(afterThroughput, 'wattprint_ingest_commit_seconds_sum') - value(afterWarmup, 'wattprint_ingest_commit_seconds_sum');

  const pacedStart = Date.now();
  const paced = await addPaced(queue, pacedFleet, PACED_RATE, PACED_SECONDS);
  await drained(queue, 'the paced batches (collector)');
  const ingestedAll = await ingested();
  const expected = warmBatches.length + fleetBatches.length + paced;
  if (ingestedAll !== expected) throw new Error(`the collector ingested ${ingestedAll} of ${expected} batches`);
  // sentAt = last_t1 for these batches, so ingested_at - last_t1 is each batch's lag
  const { rows } = await db.query('SELECT ingested_at - last_t1 AS lag FROM ingested_batches WHERE last_t1 >= $1', [pacedStart]);
  const rss = memory(child.pid).peak;
  const check = await db.query('SELECT sum(samples)::bigint AS samples, sum(joules) AS joules FROM energy_buckets');
  // heap-only updates add no index entries: the share says how much index work the bucket upserts did
  await sleep(1_100); // backends flush their table statistics about once a second
  // energy_buckets is partitioned by month: its rows live in the partitions (energy_buckets_p*, _default)
  const stats = await admin.query(
    `SELECT sum(n_tup_ins)::bigint AS n_tup_ins, sum(n_tup_upd)::bigint AS n_tup_upd, sum(n_tup_hot_upd)::bigint AS n_tup_hot_upd
      FROM pg_stat_user_tables WHERE schemaname = $1 AND relname LIKE 'energy\\_buckets\\_%'`,
    [schema],
  );
  stopping = true;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  await db.end();
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
  await admin.end();
  await queue.close();
  await dropPrefix(connection, prefix);
  connection.disconnect();
  return {
    seconds,
    batchesPerS: fleetBatches.length / seconds,
    lag: rows.map((r) => Number(r.lag)),
    rss,
    cpu,
    commits,
    commitSeconds,
    storedSamples: Number(check.rows[0].samples),
    storedJoules: Number(check.rows[0].joules),
    bucketStats: stats.rows[0],
    walBytes,
  };
}

/** Each agent's consecutive batches: the warm-up's, then the throughput phase's, then (later, live) the paced phase's. */
function prepare() {
  const fleet = makeFleet();
  // throughput batches end a minute before the paced phase starts, so the lag query leaves them out
  const total = WARMUP + BATCHES;
  const base = Date.now() - Math.ceil(total / AGENTS) * 5000 - 60_000;
  const batches = Array.from({ length: total }, (_, i) => fleet.next(base + Math.floor(i / AGENTS) * 5000));
  return { fleet, warm: batches.slice(0, WARMUP), batches: batches.slice(WARMUP) };
}

const loadBefore = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const noopRun = prepare();
const collectorRun = prepare();
const noop = await benchNoop(noopRun.warm, noopRun.batches, prepare().fleet);
const collector = await benchCollector(collectorRun.fleet, collectorRun.warm, collectorRun.batches, collectorRun.fleet);
const expectedSamples = (WARMUP + BATCHES + PACED_RATE * PACED_SECONDS) * SAMPLES_PER_BATCH;
const expectedJoules = [...collectorRun.warm, ...collectorRun.batches].reduce(
  (j, b) => j + b.samples.reduce((s, x) => s + x.energyJ, 0),
  0,
);

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(0);
const perBatch = (cpuS) => (Number.isNaN(cpuS) ? '?' : ((cpuS * 1e6) / BATCHES).toFixed(0));
const row = (name, r) =>
  `| ${name} | ${Math.round(r.batchesPerS * SAMPLES_PER_BATCH).toLocaleString('en')} | ${Math.round(r.batchesPerS).toLocaleString('en')} | ${percentile(r.lag, 50).toFixed(0)} | ${percentile(r.lag, 99).toFixed(0)} | ${mb(r.rss)} | ${perBatch(r.cpu.consumer)} | ${perBatch(r.cpu.database)} | ${perBatch(r.cpu.redis)} | ${perBatch(r.cpu.producer)} |`;
console.log(
  `ingest benchmark: ${BATCHES} batches x ${SAMPLES_PER_BATCH} samples from ${AGENTS} agents (after ${WARMUP} to warm up), concurrency ${CONCURRENCY}, --max-semi-space-size=${args.semiSpace}; lag at ${PACED_RATE} batches/s for ${PACED_SECONDS} s`,
);
console.log(
  `load average before: ${loadBefore}, after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${cpus().length} CPUs)`,
);
console.log(
  '| consumer | samples/s | batches/s | p50 lag ms | p99 lag ms | RSS MiB | consumer CPU µs/batch | PostgreSQL CPU µs/batch | Redis CPU µs/batch | producer CPU µs/batch |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
console.log(row('no-op BullMQ worker', noop));
console.log(row('collector (PostgreSQL)', collector));
console.log(`collector / no-op batch rate: ${((collector.batchesPerS / noop.batchesPerS) * 100).toFixed(0)} %  (target >= 65 %)`);
console.log(`collector samples/s: ${Math.round(collector.batchesPerS * SAMPLES_PER_BATCH).toLocaleString('en')}  (target >= 50,000)`);
console.log(
  `group commits: ${collector.commits} for ${BATCHES} batches (${(BATCHES / collector.commits).toFixed(1)} batches per commit, ${((collector.commitSeconds / collector.commits) * 1000).toFixed(1)} ms per commit transaction)`,
);
console.log(
  `WAL written in the throughput phase: ${(collector.walBytes / BATCHES / 1024).toFixed(1)} KiB a batch, ${(collector.walBytes / (BATCHES * SAMPLES_PER_BATCH)).toFixed(0)} bytes a sample (the whole server's: other clients count too)`,
);
const { n_tup_ins: bucketInserts, n_tup_upd: bucketUpdates, n_tup_hot_upd: hotUpdates } = collector.bucketStats ?? {};
console.log(
  `bucket rows: ${bucketInserts} inserted, ${bucketUpdates} updated, ${((100 * hotUpdates) / bucketUpdates).toFixed(0)} % of updates heap-only (HOT)`,
);
console.log(
  `stored samples ${collector.storedSamples} (expected ${expectedSamples}); warm-up and throughput joules expected ${expectedJoules.toFixed(0)}, all phases stored ${collector.storedJoules.toFixed(0)}`,
);
if (collector.storedSamples !== expectedSamples) {
  console.error('MISMATCH: the collector did not store every sample exactly once');
  process.exit(1);
}
