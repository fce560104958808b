import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CollectorClient } from '@wattprint/api-client';
import { connect, type DatabaseHandle } from '@wattprint/db';
import { createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import {
  AgentProcess,
  CollectorProcess,
  RedisServer,
  SimQueues,
  type CompletedBatch,
  metricValue,
  requireBuiltApps,
  waitFor,
  writeTraceSuffix,
} from '@wattprint/sim';
import { GPU_PROFILES, generateScenario, writeScenario, type GeneratedScenario } from '@wattprint/traces';
import type IORedis from 'ioredis';

/** How the run is shaped: 24 min of 1 s trace played 24× faster, so the replay takes about a minute. */
export const RUN = {
  nodes: 3,
  gpusPerNode: 8,
  traceMs: 24 * 60_000,
  intervalMs: 1000,
  startMs: Date.UTC(2026, 2, 2, 8, 0),
  seed: 11,
  speed: 24,
  agentIntervalMs: 250,
  agentFlushMs: 1000,
  /** When each fault strikes, in wall ms after the agents started. */
  collectorCrashAtMs: 8_000,
  collectorDownMs: 3_000,
  redisStopAtMs: 18_000,
  // long enough that every agent makes several batches while Redis is gone, even on a loaded CI machine
  redisDownMs: 8_000,
  firstReaddAtMs: 28_000,
  agentCrashAtMs: 33_000,
  agentDownMs: 6_000,
  /** Share of the batches added again after they completed. */
  readdShare: 0.1,
} as const;

export interface CrashRecord {
  agentId: string;
  node: string;
  firstBootId: string;
  secondBootId: string;
  /** First instant of the trace the restarted agent replays (the end of the dead window). */
  resumedAtMs: number;
}

/** Everything the assertions read after the run: the world, the processes, and what each fault did. */
export interface FaultRun {
  dir: string;
  generated: GeneratedScenario;
  traceText: Map<string, string>;
  testDb: TestDatabase;
  db: DatabaseHandle;
  redis: RedisServer;
  redisClient: IORedis;
  queues: SimQueues;
  collectors: CollectorProcess[];
  api: CollectorClient;
  agents: Map<string, AgentProcess>;
  agentKeys: Map<string, string>;
  crash: CrashRecord;
  /** Batch job ids the killed collector held, uncommitted or unacknowledged, when it died. */
  heldAtCrash: string[];
  /** Wall-clock span Redis was down. */
  redisOutage: { from: number; to: number };
  /** Batches added again, first round during the run, second after it. */
  readdFirst: CompletedBatch[];
  readdSecond: CompletedBatch[];
  /** Duplicates counted by the live collectors over the second round alone. */
  duplicatesOverSecondRound: number;
  /** The original (agent-sent) batch messages that completed. */
  originals: CompletedBatch[];
  log: string[];
}

const agentIdOf = (node: string) => `agent-${node}`;

/** Picks every tenth batch (by job id, so the choice does not depend on timing) of those not yet re-added. */
function pickForReadd(completed: CompletedBatch[], already: Set<string>, count: number): CompletedBatch[] {
  const candidates = completed
    .filter((c) => !c.jobId.endsWith('.readd') && !already.has(c.jobId))
    .sort((a, b) => (a.jobId < b.jobId ? -1 : 1));
  const step = Math.max(1, Math.floor(candidates.length / Math.max(1, count)));
  const picked: CompletedBatch[] = [];
  for (let i = 0; i < candidates.length && picked.length < count; i += step) picked.push(candidates[i]);
  return picked;
}

async function sumMetric(collectors: CollectorProcess[], series: string): Promise<number> {
  const texts = await Promise.all(collectors.filter((c) => c.running).map((c) => c.metrics()));
  return texts.reduce((n, t) => n + metricValue(t, series), 0);
}

/**
 * Runs the whole faulty minute: a private Redis, two collectors (one `all`, one `worker`) on a fresh
 * PostgreSQL schema, three agents replaying the generated cluster; kills a collector, restarts Redis,
 * kills an agent, re-adds a tenth of the batches; then waits until everything is drained and stable.
 */
export async function runFaultScenario(): Promise<FaultRun> {
  requireBuiltApps();
  const started = Date.now();
  const log: string[] = [];
  const note = (msg: string) => log.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${msg}`);

  const dir = mkdtempSync(join(tmpdir(), 'wattprint-e2e-'));
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
  const traceText = new Map(generated.scenario.nodes.map((n) => [n.id, readFileSync(join(dir, n.traceFile), 'utf8')]));

  const [testDb, redis] = await Promise.all([createTestDatabase('postgres'), RedisServer.start()]);
  const run: Partial<FaultRun> = { dir, generated, traceText, testDb, redis, log };
  const bootstrapToken = `e2e-bootstrap-${randomBytes(12).toString('hex')}`;
  const common = {
    databaseUrl: testDb.url,
    redisUrl: redis.url,
    env: {
      WATTPRINT_RATE_LIMIT_PER_MINUTE: '1000000',
      WATTPRINT_WORKER_CONCURRENCY: '64',
      WATTPRINT_DB_RETRY_MAX_MS: '500',
      // the trace is from March: past minute retention, whose upkeep would fold and drop the very
      // minutes the suite reads back (the hours would keep the energy; rollups.test.ts covers that)
      WATTPRINT_MINUTE_RETENTION_DAYS: 'forever',
    },
  };
  const collectors = await Promise.all([
    CollectorProcess.start({
      ...common,
      env: { ...common.env, WATTPRINT_GROUP_COMMIT_MS: '400' },
      name: 'collector-all',
      role: 'all',
      bootstrapToken,
    }),
    CollectorProcess.start({ ...common, name: 'collector-worker', role: 'worker' }),
  ]);
  run.collectors = collectors;
  note('collectors ready');
  const api = new CollectorClient({ baseUrl: collectors[0].baseUrl, token: bootstrapToken });
  run.api = api;
  run.db = connect({ url: testDb.url, poolSize: 2 });
  run.redisClient = redis.client();
  const queues = new SimQueues(run.redisClient);
  run.queues = queues;
  (globalThis as { __faultRun?: Partial<FaultRun> }).__faultRun = run; // for teardown after a failure

  for (const site of generated.scenario.sites) await api.createSite({ id: site.id, name: site.name, region: site.region, pue: site.pue });
  const agentKeys = new Map<string, string>();
  const agents = new Map<string, AgentProcess>();
  for (const node of generated.scenario.nodes) {
    const registered = await api.registerAgent({ id: agentIdOf(node.id), node: node.id, siteId: node.site });
    agentKeys.set(node.id, registered.key);
    agents.set(
      node.id,
      new AgentProcess({
        agentId: registered.id,
        node: node.id,
        key: registered.key,
        redisUrl: redis.url,
        replayPath: join(dir, node.traceFile),
        replaySpeed: RUN.speed,
        intervalMs: RUN.agentIntervalMs,
        flushMs: RUN.agentFlushMs,
      }),
    );
  }
  run.agentKeys = agentKeys;
  run.agents = agents;

  await Promise.all([...agents.values()].map((a) => a.start()));
  const t0 = Date.now();
  note('agents replaying');
  const until = async (ms: number) => {
    const wait = t0 + ms - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };

  // 1. A collector dies holding batches it has not acknowledged, and comes back. The worker replica is
  // frozen for a moment so that what is taken meanwhile is surely the victim's; its group commit waits
  // 400 ms, so it holds each batch that long.
  await until(RUN.collectorCrashAtMs);
  await waitFor(
    'collector-all to have ingested batches',
    async () => metricValue(await collectors[0].metrics(), 'wattprint_ingest_batches_total{result="ingested"}') > 0,
  );
  collectors[1].pause();
  const frozenAt = Date.now();
  const heldAtCrash = await waitFor(
    'collector-all to hold a batch taken after the worker froze',
    async () => {
      const held = (await queues.activeBatches()).filter((b) => b.processedOn > frozenAt + 50);
      return held.length > 0 ? held : undefined;
    },
    { timeoutMs: 20_000, everyMs: 5 },
  );
  await collectors[0].crash();
  collectors[1].resume();
  note(`collector-all SIGKILLed holding ${heldAtCrash.length} batch(es)`);
  run.heldAtCrash = heldAtCrash.map((b) => b.jobId);
  await new Promise((r) => setTimeout(r, RUN.collectorDownMs));
  await collectors[0].start();
  note('collector-all restarted and ready');

  // 2. Redis goes away (SIGKILL; AOF fsynced on every write) and comes back.
  await until(RUN.redisStopAtMs);
  const outageFrom = Date.now();
  await redis.stop('SIGKILL');
  note('redis SIGKILLed');
  await new Promise((r) => setTimeout(r, RUN.redisDownMs));
  await redis.start();
  run.redisOutage = { from: outageFrom, to: Date.now() };
  note('redis restarted');
  await Promise.all(collectors.map((c) => c.waitReady(60_000)));
  note('collectors ready again');

  // 3. A tenth of what completed so far is added again under new job ids.
  await until(RUN.firstReaddAtMs);
  const readdFirst = pickForReadd(
    await queues.completedBatches(),
    new Set(),
    Math.ceil(RUN.readdShare * (await queues.completedBatches()).length),
  );
  await queues.readd(readdFirst);
  note(`re-added ${readdFirst.length} completed batches`);

  // 4. An agent dies; it comes back where the trace is by then, with a new bootId and the same spool.
  await until(RUN.agentCrashAtMs);
  const crashedNode = generated.scenario.nodes[1].id;
  const crashed = agents.get(crashedNode)!;
  const firstBootId = crashed.bootIds[0];
  await crashed.crash();
  note(`${crashed.agentId} SIGKILLed`);
  await new Promise((r) => setTimeout(r, RUN.agentDownMs));
  const tracePlayedMs = (Date.now() - t0) * RUN.speed;
  const resumedAtMs = generated.scenario.startMs + Math.ceil(tracePlayedMs / RUN.intervalMs) * RUN.intervalMs;
  const suffix = join(dir, `resume-${crashedNode}.csv`);
  await writeTraceSuffix(join(dir, generated.scenario.nodes[1].traceFile), suffix, resumedAtMs);
  const secondBootId = await crashed.restartWith(suffix);
  note(`${crashed.agentId} restarted as boot ${secondBootId}, resuming at ${new Date(resumedAtMs).toISOString()}`);
  run.crash = { agentId: crashed.agentId, node: crashedNode, firstBootId, secondBootId, resumedAtMs };

  // The replays finish; a clean stop flushes what each agent still holds.
  await waitFor('every agent to finish its replay', async () => [...agents.values()].every((a) => a.replayFinished), {
    timeoutMs: 120_000,
    everyMs: 250,
  });
  note('replays finished');
  // Let the agents see their jobs gone and send the end events of the last jobs (one flush interval).
  await new Promise((r) => setTimeout(r, 3 * RUN.agentFlushMs));
  await Promise.all([...agents.values()].map((a) => a.stop()));
  note('agents stopped (SIGTERM)');
  await waitForQuiet(run as FaultRun, 'agents stopped');
  note('queues drained');

  // The scheduler's own events, signed with the key of the agent of the job's first node. Sent last,
  // because a replaying agent stamps its own start/end events with wall-clock times.
  for (const job of generated.scenario.jobs) {
    const node = job.placement[0].node;
    const base = { agentId: agentIdOf(node), node, jobId: job.id };
    await queues.publishJobEvent(
      { ...base, eventId: `sched.start.${job.id}`, type: 'start', at: job.startMs, metadata: job.metadata },
      agentKeys.get(node)!,
    );
    if (!job.truncated)
      await queues.publishJobEvent(
        { ...base, eventId: `sched.end.${job.id}`, type: 'end', at: job.endMs, exitCode: 0 },
        agentKeys.get(node)!,
      );
  }
  await waitForQuiet(run as FaultRun, 'scheduler events');
  note('scheduler events applied');

  // 5. The rest of the tenth, added again after the run: counted exactly as duplicates.
  const completed = await queues.completedBatches();
  const originals = completed.filter((c) => !c.jobId.endsWith('.readd'));
  const readdSecond = pickForReadd(
    completed,
    new Set(readdFirst.map((r) => r.jobId)),
    Math.ceil(RUN.readdShare * originals.length) - readdFirst.length,
  );
  const before = await sumMetric(collectors, 'wattprint_ingest_batches_total{result="duplicate"}');
  await queues.readd(readdSecond);
  await waitForQuiet(run as FaultRun, 'second re-add');
  const after = await sumMetric(collectors, 'wattprint_ingest_batches_total{result="duplicate"}');
  note(`re-added ${readdSecond.length} more; duplicates counted ${after - before}`);

  return {
    ...(run as FaultRun),
    readdFirst,
    readdSecond,
    duplicatesOverSecondRound: after - before,
    originals: (await queues.completedBatches()).filter((c) => !c.jobId.endsWith('.readd')),
  };
}

/** Waits until both queues are drained and the database's batch count stops moving. */
async function waitForQuiet(run: FaultRun, what: string): Promise<void> {
  let last = -1;
  let stableSince = 0;
  await waitFor(
    `queues drained and totals stable (${what})`,
    async () => {
      if (!(await run.queues.drained())) {
        last = -1;
        return false;
      }
      const { n } = await run.db.db
        .selectFrom('ingested_batches')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(n) !== last) {
        last = Number(n);
        stableSince = Date.now();
        return false;
      }
      return Date.now() - stableSince >= 500;
    },
    // Batches a killed collector held come back only when their BullMQ lock expires (30 s) and a
    // stalled-job check (every 30 s) finds them.
    { timeoutMs: 120_000, everyMs: 200 },
  );
}

/** Stops every process and removes every file and schema the run made, whatever state it is in. */
export async function disposeFaultRun(run: Partial<FaultRun> | undefined): Promise<void> {
  if (!run) return;
  await Promise.all([...(run.agents?.values() ?? [])].map((a) => a.dispose().catch(() => undefined)));
  await Promise.all((run.collectors ?? []).map((c) => c.forceStop()));
  await run.queues?.close().catch(() => undefined);
  run.redisClient?.disconnect();
  await run.redis?.dispose();
  await run.db?.close().catch(() => undefined);
  await run.testDb?.drop().catch(() => undefined);
  if (run.dir) rmSync(run.dir, { recursive: true, force: true });
}

export function partialRun(): Partial<FaultRun> | undefined {
  return (globalThis as { __faultRun?: Partial<FaultRun> }).__faultRun;
}
