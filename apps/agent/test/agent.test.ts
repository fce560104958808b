import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Batch, JobEvent, QUEUE_PREFIX, QueueName, parseWith, verify } from '@wattprint/protocol';
import { startAgent } from '../src/bootstrap';
import { loadAgentConfig } from '../src/config/agent-config';
import { silentLogger } from '../src/logger';
import { FAKE_SMI, buildAgent, capture, nodePathForDist, tempDir } from './helpers/paths';
import { K8S_V2, SLURM_V2, writeProcTree } from './helpers/proc-tree';
import { TestRedis } from './helpers/redis-server';

jest.setTimeout(30_000);

const KEY = 'agent-test-key-0123456789abcdef';
const POD = '0f6e3c1a-2b4d-4e8f-9a7b-5c3d2e1f0a9b';

function fixtureEnv(redis: TestRedis, spoolDir: string): Record<string, string> {
  const proc = join(tempDir('proc'), 'proc');
  writeProcTree(
    proc,
    {
      11327: {
        environ: { SLURM_JOB_ID: '1234', SLURM_JOB_USER: 'ada', SLURM_JOB_ACCOUNT: 'vision' },
        cgroup: SLURM_V2('1234'),
        cpuTicks: 10,
      },
      11328: { cgroup: K8S_V2(POD), cpuTicks: 10 },
      11345: { cgroup: SLURM_V2('1234'), cpuTicks: 10 },
    },
    1000,
  );
  return {
    PATH: process.env.PATH ?? '',
    REDIS_URL: redis.url,
    WATTPRINT_AGENT_ID: 'node-a',
    WATTPRINT_NODE: 'node-a.cluster',
    WATTPRINT_AGENT_KEY: KEY,
    WATTPRINT_INTERVAL_MS: '100',
    WATTPRINT_FLUSH_MS: '500',
    WATTPRINT_SOURCES: 'nvidia-smi',
    WATTPRINT_SPOOL_DIR: spoolDir,
    WATTPRINT_NVIDIA_SMI: FAKE_SMI,
    WATTPRINT_PROC_ROOT: proc,
    FAKE_SMI_CAPTURE: capture('linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt'),
    FAKE_SMI_PHASE: 'load',
  };
}

/** Polls `check` every 100 ms until it holds; fails after 30 s naming `what`. */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after 30 s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Bytes of batches in the spool's segments (seg-….log, however deep), not its cursor or seq files. */
function spooledBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) bytes += spooledBytes(path);
    else if (/^seg-\d+\.log$/.test(entry.name)) bytes += statSync(path).size;
  }
  return bytes;
}

async function readQueues(redis: TestRedis): Promise<{ batches: Batch[]; events: JobEvent[] }> {
  const connection = redis.client();
  const samples = new Queue(QueueName.Samples, { connection, prefix: QUEUE_PREFIX });
  const jobEvents = new Queue(QueueName.JobEvents, { connection, prefix: QUEUE_PREFIX });
  const parse = <T>(schema: Parameters<typeof parseWith>[0], data: unknown): T => {
    const r = parseWith(schema, data);
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(verify(r.value as { signature: string }, KEY)).toBe(true);
    return r.value as T;
  };
  const batches = (await samples.getJobs(['wait'], 0, -1, true)).map((j) => parse<Batch>(Batch, j.data));
  const events = (await jobEvents.getJobs(['wait'], 0, -1, true)).map((j) => parse<JobEvent>(JobEvent, j.data));
  await samples.close();
  await jobEvents.close();
  connection.disconnect();
  return { batches, events };
}

function expectConsecutive(batches: Batch[]): void {
  for (let i = 1; i < batches.length; i++) {
    if (batches[i].bootId === batches[i - 1].bootId)
      expect(batches[i].firstSeq).toBe(batches[i - 1].firstSeq + batches[i - 1].samples.length);
  }
}

describe('the agent end to end', () => {
  let redis: TestRedis;
  beforeEach(async () => {
    redis = await TestRedis.create();
  });
  afterEach(async () => {
    await redis.stop();
  });

  it('publishes signed batches with consecutive seqs and job events; seq carries on after a restart', async () => {
    const spoolDir = tempDir('spool');
    const env = fixtureEnv(redis, spoolDir);
    Object.assign(process.env, { FAKE_SMI_CAPTURE: env.FAKE_SMI_CAPTURE, FAKE_SMI_PHASE: 'load' });
    const config = loadAgentConfig(env);
    const first = await startAgent(config, silentLogger);
    await new Promise((r) => setTimeout(r, 1600));
    await first.stop();
    const second = await startAgent(config, silentLogger);
    // Until the second boot has published a batch: a fixed sleep was too short on a loaded machine.
    const deadline = Date.now() + 20_000;
    while (!(await readQueues(redis)).batches.some((b) => b.bootId === second.bootId) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await second.stop();

    const { batches, events } = await readQueues(redis);
    const boots = [...new Set(batches.map((b) => b.bootId))];
    expect(boots).toEqual([first.bootId, second.bootId]);
    expect(batches[0].firstSeq).toBe(0);
    expectConsecutive(batches);
    const lastOfFirst = batches.filter((b) => b.bootId === first.bootId).at(-1)!;
    const firstOfSecond = batches.find((b) => b.bootId === second.bootId)!;
    expect(firstOfSecond.firstSeq).toBe(lastOfFirst.firstSeq + lastOfFirst.samples.length);

    const samples = batches.flatMap((b) => b.samples);
    expect(new Set(samples.map((s) => s.jobId))).toEqual(new Set(['1234', POD]));
    // Per interval, the jobs' shares add up to the GPU's 631.95 W.
    const byInterval = new Map<string, number>();
    for (const s of samples) byInterval.set(`${s.t0}-${s.t1}`, (byInterval.get(`${s.t0}-${s.t1}`) ?? 0) + s.energyJ);
    for (const [span, energy] of byInterval) {
      const [t0, t1] = span.split('-').map(Number);
      expect(energy).toBeCloseTo((631.95 * (t1 - t0)) / 1000, 6);
    }
    const starts = events.filter((e) => e.type === 'start' && e.agentId === 'node-a');
    expect(starts.map((e) => e.jobId).sort()).toEqual(['1234', '1234', POD, POD].sort()); // once per boot
    expect(starts.find((e) => e.jobId === '1234')).toMatchObject({ metadata: { scheduler: 'slurm', user: 'ada', team: 'vision' } });
  });

  it('SIGKILL between flushes loses at most one flush interval; the spool survives and replays in order', async () => {
    const bin = buildAgent();
    const spoolDir = tempDir('spool');
    mkdirSync(spoolDir, { recursive: true });
    const env = { ...fixtureEnv(redis, spoolDir), NODE_PATH: nodePathForDist() };
    await redis.stop(); // Redis down: every batch goes to the spool

    const agent = spawn(process.execPath, [bin], { env, stdio: 'ignore' });
    // killed once it has spooled (on a loaded machine the agent may take seconds to start), then a
    // while after, so the kill falls between flushes
    await until('the agent to spool batches', () => spooledBytes(spoolDir) > 0);
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));

    await redis.start();
    const again = spawn(process.execPath, [bin], { env, stdio: 'ignore' });
    // stopped once the replayed spool and the new boot's own batches are both in Redis
    await until('both boots in Redis', async () => new Set((await readQueues(redis)).batches.map((b) => b.bootId)).size >= 2);
    again.kill('SIGTERM');
    await new Promise((r) => again.once('exit', r));

    const { batches } = await readQueues(redis);
    const boots = [...new Set(batches.map((b) => b.bootId))];
    expect(boots).toHaveLength(2);
    const killed = batches.filter((b) => b.bootId === boots[0]);
    expect(killed[0].firstSeq).toBe(0);
    expectConsecutive(batches);
    const lastT1 = Math.max(...killed.flatMap((b) => b.samples.map((s) => s.t1)));
    // What the kill lost: the samples since the last flush, at most one flush interval (500 ms) plus the
    // tick in progress (100 ms) and scheduling slack.
    expect(killedAt - lastT1).toBeLessThanOrEqual(500 + 100 + 400);
    const restarted = batches.filter((b) => b.bootId === boots[1]);
    expect(restarted[0].firstSeq).toBe(killed.at(-1)!.firstSeq + killed.at(-1)!.samples.length);
  });
});
