import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CollectorClient } from '@wattprint/api-client';
import { IDLE_JOB_ID, connect, type DatabaseHandle } from '@wattprint/db';
import { createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { agentShard, batchKey, shardPrefix } from '@wattprint/protocol';
import { AgentProcess, CollectorProcess, RedisCluster, SimQueues, type ClusterNodeView, requireBuiltApps, waitFor } from '@wattprint/sim';
import { GPU_PROFILES, generateScenario, writeScenario, type GeneratedScenario } from '@wattprint/traces';
import type { Cluster } from 'ioredis';
import { IDLE, jobDeviceKey, ledgerOf, relativeError, traceIntervals } from '../src/trace-energy';

/**
 * The queue tier on a real Redis Cluster: 3 masters + 3 replicas, 4 queue shards, 4 agents replaying
 * traces, two collectors; a master serving agents' shards is SIGKILLed mid-run and its replica takes
 * over. Every joule of every trace must arrive exactly once.
 */
const RUN = {
  nodes: 4,
  gpusPerNode: 4,
  traceMs: 12 * 60_000,
  intervalMs: 1000,
  startMs: Date.UTC(2026, 2, 4, 8, 0),
  seed: 29,
  speed: 24,
  agentIntervalMs: 250,
  agentFlushMs: 1000,
  shards: 4,
} as const;

const EXACT = 1e-9;

interface ClusterRun {
  dir: string;
  generated: GeneratedScenario;
  traceText: Map<string, string>;
  testDb: TestDatabase;
  db: DatabaseHandle;
  cluster: RedisCluster;
  client: Cluster;
  queues: SimQueues;
  collectors: CollectorProcess[];
  agents: AgentProcess[];
  killed: { port: number; replicaPort: number; agentsOnIt: string[] };
  viewAfter: ClusterNodeView[];
  log: string[];
}

const run: Partial<ClusterRun> = {};

async function quiet(r: Partial<ClusterRun>, what: string): Promise<void> {
  let last = -1;
  let stableSince = 0;
  await waitFor(
    `queues drained and totals stable (${what})`,
    async () => {
      if (!(await r.queues!.drained())) {
        last = -1;
        return false;
      }
      const { n } = await r
        .db!.db.selectFrom('ingested_batches')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(n) !== last) {
        last = Number(n);
        stableSince = Date.now();
        return false;
      }
      return Date.now() - stableSince >= 500;
    },
    // a batch taken from the dead master's shard comes back only when its BullMQ lock expires (30 s)
    // and a stalled-job check finds it
    { timeoutMs: 120_000, everyMs: 200 },
  );
}

async function runClusterScenario(): Promise<void> {
  requireBuiltApps();
  const started = Date.now();
  const log: string[] = [];
  const note = (msg: string) => log.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${msg}`);
  run.log = log;

  const dir = mkdtempSync(join(tmpdir(), 'wattprint-e2e-cluster-'));
  run.dir = dir;
  const generated = generateScenario({
    nodes: RUN.nodes,
    gpusPerNode: RUN.gpusPerNode,
    durationMs: RUN.traceMs,
    intervalMs: RUN.intervalMs,
    startMs: RUN.startMs,
    seed: RUN.seed,
    profile: GPU_PROFILES.h100,
  });
  writeScenario(dir, generated);
  run.generated = generated;
  run.traceText = new Map(generated.scenario.nodes.map((n) => [n.id, readFileSync(join(dir, n.traceFile), 'utf8')]));

  const [testDb, cluster] = await Promise.all([createTestDatabase('postgres'), RedisCluster.start()]);
  run.testDb = testDb;
  run.cluster = cluster;
  note(`cluster up on ${cluster.nodes.map((n) => n.port).join(',')}`);
  const bootstrapToken = `e2e-bootstrap-${randomBytes(12).toString('hex')}`;
  const env = {
    WATTPRINT_REDIS_CLUSTER: 'true',
    WATTPRINT_QUEUE_SHARDS: String(RUN.shards),
    WATTPRINT_RATE_LIMIT_PER_MINUTE: '1000000',
    WATTPRINT_WORKER_CONCURRENCY: '64',
    WATTPRINT_DB_RETRY_MAX_MS: '500',
    // the trace is from March: keep its minutes (see fault-run.ts)
    WATTPRINT_MINUTE_RETENTION_DAYS: 'forever',
  };
  const common = { databaseUrl: testDb.url, redisUrl: cluster.url, env };
  run.collectors = await Promise.all([
    CollectorProcess.start({ ...common, name: 'collector-all', role: 'all', bootstrapToken }),
    CollectorProcess.start({ ...common, name: 'collector-worker', role: 'worker' }),
  ]);
  note('collectors ready');
  run.db = connect({ url: testDb.url, poolSize: 2 });
  run.client = cluster.client();
  run.queues = new SimQueues(run.client, undefined, RUN.shards);
  const api = new CollectorClient({ baseUrl: run.collectors[0].baseUrl, token: bootstrapToken });

  for (const site of generated.scenario.sites) await api.createSite({ id: site.id, name: site.name, region: site.region, pue: site.pue });
  run.agents = [];
  for (const node of generated.scenario.nodes) {
    const registered = await api.registerAgent({ id: `agent-${node.id}`, node: node.id, siteId: node.site });
    run.agents.push(
      new AgentProcess({
        agentId: registered.id,
        node: node.id,
        key: registered.key,
        redisUrl: cluster.url,
        replayPath: join(dir, node.traceFile),
        replaySpeed: RUN.speed,
        intervalMs: RUN.agentIntervalMs,
        flushMs: RUN.agentFlushMs,
        env: { WATTPRINT_REDIS_CLUSTER: 'true', WATTPRINT_QUEUE_SHARDS: String(RUN.shards) },
      }),
    );
  }

  // The victim: the master serving the shards of the most agents.
  const byMaster = new Map<number, string[]>();
  for (const agent of run.agents) {
    const port = await cluster.masterOf(`${shardPrefix('{wattprint}', agentShard(agent.agentId, RUN.shards))}:samples:wait`);
    byMaster.set(port, [...(byMaster.get(port) ?? []), agent.agentId]);
  }
  const [victimPort, agentsOnIt] = [...byMaster.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  const before = await cluster.view();
  const victimId = before.find((n) => n.port === victimPort)!.id;
  const replicaPort = before.find((n) => n.masterId === victimId)!.port;
  run.killed = { port: victimPort, replicaPort, agentsOnIt };
  note(`victim master ${victimPort} (replica ${replicaPort}) serves the shards of ${agentsOnIt.join(', ')}`);

  await Promise.all(run.agents.map((a) => a.start()));
  note('agents replaying');

  // Mid-run: once the collectors have ingested batches of every agent on the victim, and about a
  // third of the replay has played, the victim dies.
  const t0 = Date.now();
  await waitFor(
    'batches of the victim master’s agents ingested, a third of the replay played',
    async () => {
      if (Date.now() - t0 < RUN.traceMs / RUN.speed / 3) return false;
      const rows = await run.db!.db.selectFrom('ingested_batches').select('agent_id').distinct().execute();
      const seen = new Set(rows.map((r) => r.agent_id));
      return agentsOnIt.every((a) => seen.has(a));
    },
    { timeoutMs: 60_000, everyMs: 200 },
  );
  await cluster.kill(victimPort);
  note(`master ${victimPort} SIGKILLed`);
  await cluster.waitHealthy(60_000);
  run.viewAfter = await cluster.view();
  note('failover done: cluster_state ok, every slot on a live master');

  await waitFor('every agent to finish its replay', async () => run.agents!.every((a) => a.replayFinished), {
    timeoutMs: 120_000,
    everyMs: 250,
  });
  note('replays finished');
  // Let the agents see their jobs gone and send the last end events (a few flush intervals).
  await new Promise((r) => setTimeout(r, 3 * RUN.agentFlushMs));
  await Promise.all(run.agents.map((a) => a.stop()));
  note('agents stopped (SIGTERM)');
  await quiet(run, 'agents stopped');
  note('queues drained');
}

async function dispose(r: Partial<ClusterRun>): Promise<void> {
  await Promise.all((r.agents ?? []).map((a) => a.dispose().catch(() => undefined)));
  await Promise.all((r.collectors ?? []).map((c) => c.forceStop()));
  await r.queues?.close().catch(() => undefined);
  r.client?.disconnect();
  await r.cluster?.dispose();
  await r.db?.close().catch(() => undefined);
  await r.testDb?.drop().catch(() => undefined);
  if (r.dir) rmSync(r.dir, { recursive: true, force: true });
}

beforeAll(async () => {
  try {
    await runClusterScenario();
  } catch (error) {
    const tails = [...(run.collectors ?? []).map((c) => c.output()), ...(run.agents ?? []).map((a) => a.output())]
      .map((o) => o.slice(-3000))
      .join('\n');
    throw new Error(
      `${(error as Error).message}\nrun log:\n${run.log?.join('\n')}\nprocess output (tails):\n${tails}\n${run.cluster?.output() ?? ''}`,
    );
  }
}, 200_000);

afterAll(async () => {
  // WATTPRINT_E2E_LOG=<file>: the run's timeline and every process's output, for whoever reads a failure
  if (process.env.WATTPRINT_E2E_LOG)
    writeFileSync(
      process.env.WATTPRINT_E2E_LOG,
      [
        ...(run.log ?? []),
        ...(run.collectors ?? []).map((c) => `=== ${c.name}\n${c.output()}`),
        ...(run.agents ?? []).map((a) => `=== ${a.agentId}\n${a.output()}`),
        run.cluster?.output() ?? '',
      ].join('\n'),
    );
  await dispose(run);
});

function expectExact(what: string, actualJ: number, expectedJ: number): void {
  const err = relativeError(actualJ, expectedJ);
  if (!(err < EXACT)) throw new Error(`${what}: recorded ${actualJ} J, expected ${expectedJ} J (relative error ${err})`);
}

describe('Redis Cluster: 3 masters + 3 replicas, 4 queue shards, 4 agents, 2 collectors, a master SIGKILLed mid-run', () => {
  it('spread the agents over several shards and the victim master served some of them', () => {
    const shards = new Set(run.agents!.map((a) => agentShard(a.agentId, RUN.shards)));
    expect(shards.size).toBeGreaterThan(1);
    expect(run.killed!.agentsOnIt.length).toBeGreaterThan(0);
  });

  it('failed the killed master over to its replica', () => {
    const view = run.viewAfter!;
    const victim = view.find((n) => n.port === run.killed!.port)!;
    const promoted = view.find((n) => n.port === run.killed!.replicaPort)!;
    expect({ victimFailed: victim.failed, promotedRole: promoted.role, promotedServesSlots: promoted.slots.length > 0 }).toEqual({
      victimFailed: true,
      promotedRole: 'master',
      promotedServesSlots: true,
    });
  });

  it('the kill hit live traffic: agents on the victim could not add for a while and spooled, then caught up', () => {
    const victims = run.agents!.filter((a) => run.killed!.agentsOnIt.includes(a.agentId));
    expect(victims.some((a) => a.output().includes('"msg":"add failed; spooling"'))).toBe(true);
    // none dropped anything from its spool
    for (const a of run.agents!)
      expect({ agent: a.agentId, dropped: a.output().includes('spool full') }).toEqual({ agent: a.agentId, dropped: false });
  });

  it('kept both collectors running through the failover', () => {
    for (const c of run.collectors!)
      if (!c.running || c.starts !== 1)
        throw new Error(`${c.name} died (starts ${c.starts}); its output ends:\n${c.output().slice(-4000)}`);
  });

  it('every shard was used and drained; nothing failed, nothing dead-lettered', async () => {
    const perShard = await Promise.all(run.queues!.sampleShards.map((q) => run.queues!.counts(q)));
    const used = new Set(run.agents!.map((a) => agentShard(a.agentId, RUN.shards)));
    perShard.forEach((c, shard) => {
      expect({ shard, pending: c.pending, failed: c.failed, used: c.completed > 0 }).toEqual({
        shard,
        pending: 0,
        failed: 0,
        used: used.has(shard),
      });
    });
    const [events, dead] = await Promise.all([run.queues!.counts(run.queues!.jobEvents), run.queues!.counts(run.queues!.deadLetters)]);
    expect({ eventsFailed: events.failed, deadLetters: dead.completed + dead.pending + dead.failed }).toEqual({
      eventsFailed: 0,
      deadLetters: 0,
    });
    expect(await run.db!.db.selectFrom('dead_letters').selectAll().execute()).toEqual([]);
    // the collectors' depth metric covers every shard: 0 once drained
    const text = await run.collectors![0].metrics();
    for (const state of ['waiting', 'active', 'prioritized', 'delayed'])
      expect(text).toContain(`wattprint_queue_depth{queue="samples",state="${state}"} 0\n`);
  });

  it('lost no batch: each agent’s seqs run from 0 without a hole, and no gap was recorded', async () => {
    const rows = await run.db!.db.selectFrom('ingested_batches').select(['agent_id', 'first_seq', 'last_seq']).execute();
    for (const agent of run.agents!) {
      const mine = rows
        .filter((r) => r.agent_id === agent.agentId)
        .map((r) => [Number(r.first_seq), Number(r.last_seq)] as const)
        .sort((a, b) => a[0] - b[0]);
      expect(mine.length).toBeGreaterThan(5);
      let next = 0;
      for (const [first, last] of mine) {
        expect({ agent: agent.agentId, first }).toEqual({ agent: agent.agentId, first: next });
        next = last + 1;
      }
    }
    expect(await run.db!.db.selectFrom('seq_gaps').selectAll().execute()).toEqual([]);
  });

  it('counted no batch twice: one ingested_batches row per batch that completed on any shard', async () => {
    const completed = await run.queues!.completedBatches();
    const keys = new Set(completed.map((c) => batchKey(c.batch)));
    const rows = await run.db!.db.selectFrom('ingested_batches').select(['batch_key', 'joules']).execute();
    expect(rows.length).toBe(new Set(rows.map((r) => r.batch_key)).size);
    expect(new Set(rows.map((r) => r.batch_key))).toEqual(keys);
    const buckets = await run
      .db!.db.selectFrom('energy_buckets')
      .select((eb) => eb.fn.sum<number>('joules').as('j'))
      .executeTakeFirstOrThrow();
    expectExact(
      'buckets against recorded batches',
      Number(buckets.j),
      rows.reduce((s, r) => s + Number(r.joules), 0),
    );
  });

  it('every node holds exactly its truth.json integral, and every device, idle and per job, exactly its trace', async () => {
    const { truth } = run.generated!;
    const rows = await run
      .db!.db.selectFrom('energy_buckets')
      .select(['node', 'device', 'job_id', (eb) => eb.fn.sum<number>('joules').as('j')])
      .groupBy(['node', 'device', 'job_id'])
      .execute();
    const recorded = new Map(
      rows.map((r) => [`${r.node}\u0000${jobDeviceKey(r.job_id === IDLE_JOB_ID ? IDLE : r.job_id, r.device)}`, Number(r.j)]),
    );
    let checked = 0;
    for (const [node, text] of run.traceText!) {
      const ledger = ledgerOf(traceIntervals(text));
      expect(ledger.totalJ).toBe(truth.nodes[node].totalJ);
      const nodeTotal = rows.filter((r) => r.node === node).reduce((s, r) => s + Number(r.j), 0);
      expectExact(`node ${node}`, nodeTotal, truth.nodes[node].totalJ);
      for (const [key, joules] of ledger.byJobDevice) {
        if (joules === 0) continue;
        expectExact(`bucket ${node}/${key.replace('\u0000', '/')}`, recorded.get(`${node}\u0000${key}`) ?? 0, joules);
        recorded.delete(`${node}\u0000${key}`);
        checked++;
      }
    }
    expect([...recorded.entries()].filter(([, j]) => j !== 0)).toEqual([]);
    expect(checked).toBeGreaterThan(RUN.nodes * RUN.gpusPerNode);
  });

  it('read the depth of every shard in /metrics', async () => {
    const text = await run.collectors![1].metrics();
    for (let shard = 0; shard < RUN.shards; shard++) expect(text).toContain(`wattprint_queue_shard_depth{shard="${shard}"} 0`);
  });
});
