/**
 * Slurm through the whole chain, with no stand-in for any part of ours and a real Slurm: slurmctld, slurmd
 * and munged from Debian's packages, started here on free ports in a private directory (see
 * support/slurm-cluster.ts), run deploy/slurm/prolog.sh and epilog.sh as their Prolog and Epilog. Jobs
 * submitted with sbatch (a completed one, a failed one of another user, an array, a cancelled one) hold
 * fake GPUs that Slurm hands out through gres; the node's real agent finds each job's shell among the GPU's
 * compute processes (a fake nvidia-smi serving a real H100 capture, whose process list is the jobs' pids and
 * the GPUs Slurm gave them), reads its job from the real /proc and books the energy over a real Redis (a
 * fresh queue prefix) to a real collector on PostgreSQL; the hooks publish each job's metadata, start and
 * end to the same collector. Then the collector is stopped while a job starts: the job must still run, its
 * prolog return within its budget, and its events arrive once the collector is back.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IORedis from 'ioredis';
import { createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { CollectorClient } from '@wattprint/api-client';
import { AgentProcess, CollectorProcess, REPO_ROOT, requireBuiltApps, SimQueues, waitFor } from '@wattprint/sim';
import { requireSlurm, SlurmCluster, type ScontrolJob } from './support/slurm-cluster';

const run = promisify(execFile);
const SLURM_BIN = join(REPO_ROOT, 'apps/slurm/bin/wattprint-slurm.js');
const FAKE_SMI = join(REPO_ROOT, 'apps/agent/test/fixtures/fake-nvidia-smi.js');
const CAPTURE = join(REPO_ROOT, 'apps/agent/test/fixtures/nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt');
/** power.draw of that capture's loaded H100; the fake serves it on every GPU. */
const CAPTURED_POWER_W = 631.95;
const GPUS = 4;
/** The fake's GPU i: the capture's row with index i and this UUID (FAKE_SMI_GPUS). */
const gpuUuid = (i: number) => `GPU-00000000-0000-0000-0000-${String(i).padStart(12, '0')}`;
const SHARED_REDIS = process.env.WATTPRINT_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** GET /api/v1/jobs/:id as the collector answers it, with the fields the harness's type leaves out. */
interface LedgerJob {
  job: {
    id: string;
    name: string | null;
    user: string | null;
    team: string | null;
    cluster: string | null;
    state: string;
    startedAt: string | null;
    endedAt: string | null;
    scheduler: string | null;
    schedulerJobId: string | null;
    labels: Record<string, string>;
    exitCode: number | null;
    exitState?: string | null;
  };
  energy: { energyKWh: number; gpuHours: number; samples: number };
  nodes: Array<{ node: string; devices: Array<{ device: string; kind: string }> }>;
}

let dir: string;
let testDb: TestDatabase;
let redis: IORedis;
let queues: SimQueues;
let collector: CollectorProcess;
let api: CollectorClient;
let slurm: SlurmCluster | undefined;
let agent: AgentProcess | undefined;
let gpuTable: NodeJS.Timeout | undefined;
const prefix = `{wattprint-slurm-${randomBytes(6).toString('hex')}}`;
const envFile = () => join(dir, 'slurm.env');
const spoolDir = () => join(dir, 'spool');

/** The jobs this test ran, by role. */
const ids: Record<string, string> = {};
const slurmJobs = new Map<string, ScontrolJob>();
/** Per job: the pid of its batch shell and the GPUs Slurm gave it, as the job itself wrote them. */
const gpusOfJob = new Map<string, number[]>();
let offlineProlog: { outcome: string; ms: number } | undefined;
let offlineSpool: Array<{ eventId: string; state: string }> = [];
let finalFlush: { code: number; report: Record<string, number | string | null> } | undefined;

/** The batch script: writes "<pid> <CUDA_VISIBLE_DEVICES>" for the GPU table, works for a while, exits. */
function script(seconds: number, exitStatus: number): string {
  const jobs = join(dir, 'jobs');
  return `echo "$$ $CUDA_VISIBLE_DEVICES" > ${jobs}/gpu.$SLURM_JOB_ID.tmp && mv ${jobs}/gpu.$SLURM_JOB_ID.tmp ${jobs}/gpu.$SLURM_JOB_ID; sleep ${seconds}; exit ${exitStatus}`;
}

/**
 * What nvidia-smi --query-compute-apps would list: the batch shell of every live job, on each GPU of its
 * CUDA_VISIBLE_DEVICES (a CUDA program uses exactly those). Rewritten atomically as jobs come and go.
 */
function writeGpuTable(): void {
  const jobs = join(dir, 'jobs');
  const rows = ['timestamp, gpu_name, gpu_bus_id, gpu_serial, gpu_uuid, pid, process_name, used_gpu_memory [MiB]'];
  for (const f of readdirSync(jobs)) {
    const m = /^gpu\.(\d+)$/.exec(f);
    if (!m) continue;
    const [pid, devices = ''] = readFileSync(join(jobs, f), 'utf8').trim().split(' ');
    const gpus = devices === '' ? [] : devices.split(',').map(Number);
    gpusOfJob.set(m[1], gpus);
    let alive = false;
    try {
      alive = !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      alive = false;
    }
    if (!alive) continue;
    for (const g of gpus)
      rows.push(`2026/07/14 08:12:53.500, NVIDIA H100 80GB HBM3, 00000000:00:09.0, 0000000000000, ${gpuUuid(g)}, ${pid}, sh, 15690 MiB`);
  }
  writeFileSync(join(dir, 'apps.csv.tmp'), `${rows.join('\n')}\n`);
  renameSync(join(dir, 'apps.csv.tmp'), join(dir, 'apps.csv'));
}

function hookLog(): Array<Record<string, any>> {
  const path = join(spoolDir(), 'hook.log');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

async function wattprintSlurm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SLURM_BIN, ...args], {
      env: { ...slurm!.env, WATTPRINT_SLURM_ENV: envFile() },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const ledgerJob = (id: string) => api.job(id) as unknown as Promise<LedgerJob>;

async function createSchedulerToken(baseUrl: string, admin: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'slurm', role: 'scheduler' }),
  });
  const body = await res.text();
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST /api/v1/tokens answered ${res.status}: ${body}`);
  return (JSON.parse(body) as { secret: string }).secret;
}

/** Every job the ledger lists has ended per Slurm's events, and the spool is empty. */
async function waitDelivered(jobIds: string[], timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `the ends of jobs ${jobIds.join(', ')} in the ledger`,
    async () => {
      for (const id of jobIds) {
        const j = await ledgerJob(id).catch(() => undefined);
        if (!j || j.job.state !== 'ended' || !j.job.exitState) return false;
      }
      return readdirSync(spoolDir()).filter((f) => f.endsWith('.json')).length === 0;
    },
    { timeoutMs, everyMs: 200 },
  );
}

beforeAll(async () => {
  requireSlurm();
  requireBuiltApps();
  if (!existsSync(join(REPO_ROOT, 'apps/slurm/dist/main.js'))) throw new Error('run npm run build first: missing apps/slurm/dist/main.js');
  dir = mkdtempSync(join(tmpdir(), 'wattprint-e2e-slurm-'));
  chmodSync(dir, 0o755); // jobs of other users write into dir/jobs
  testDb = await createTestDatabase('postgres');
  redis = new IORedis(SHARED_REDIS, { maxRetriesPerRequest: null });
  queues = new SimQueues(redis, prefix);

  const admin = `e2e-bootstrap-${randomBytes(12).toString('hex')}`;
  collector = await CollectorProcess.start({
    name: 'collector',
    role: 'all',
    databaseUrl: testDb.url,
    redisUrl: SHARED_REDIS,
    bootstrapToken: admin,
    env: { WATTPRINT_QUEUE_PREFIX: prefix },
  });
  api = new CollectorClient({ baseUrl: collector.baseUrl, token: admin });
  const host = (await run('hostname', ['-s'])).stdout.trim();
  await api.createSite({ id: 'paris', name: 'Paris', region: 'FR', pue: 1.2 });
  const registered = await api.registerAgent({ id: host, node: host, siteId: 'paris' });
  writeFileSync(join(dir, 'slurm.token'), `${await createSchedulerToken(collector.baseUrl, admin)}\n`, { mode: 0o600 });
  writeFileSync(join(dir, 'teams'), '# account team\nTeamA vision\n');
  writeFileSync(
    envFile(),
    [
      `WATTPRINT_URL=${collector.baseUrl}`,
      `WATTPRINT_TOKEN_FILE=${join(dir, 'slurm.token')}`,
      `WATTPRINT_SLURM_SPOOL_DIR=${spoolDir()}`,
      `WATTPRINT_SLURM_TEAMS=${join(dir, 'teams')}`,
      'WATTPRINT_SLURM_RESOLVE_MS=60000',
      `WATTPRINT_SLURM_NODE=${process.execPath}`,
    ].join('\n'),
  );
  // slurmd gives hooks a clean environment: these two only say where the env file is, then run deploy/slurm as shipped.
  mkdirSync(join(dir, 'hooks'));
  for (const hook of ['prolog', 'epilog']) {
    writeFileSync(
      join(dir, 'hooks', `${hook}.sh`),
      `#!/bin/sh\nWATTPRINT_SLURM_ENV=${envFile()} exec ${REPO_ROOT}/deploy/slurm/${hook}.sh\n`,
      {
        mode: 0o755,
      },
    );
  }
  slurm = await SlurmCluster.start({ prolog: join(dir, 'hooks', 'prolog.sh'), epilog: join(dir, 'hooks', 'epilog.sh'), gpus: GPUS });
  mkdirSync(join(dir, 'jobs'));
  chmodSync(join(dir, 'jobs'), 0o1777);
  writeGpuTable();
  gpuTable = setInterval(writeGpuTable, 50);

  agent = new AgentProcess({
    agentId: registered.id,
    node: host,
    key: registered.key,
    redisUrl: SHARED_REDIS,
    replayPath: join(dir, 'unused-trace.csv'),
    replaySpeed: 1,
    intervalMs: 200,
    flushMs: 500,
    env: {
      WATTPRINT_QUEUE_PREFIX: prefix,
      WATTPRINT_SOURCES: 'nvidia-smi',
      WATTPRINT_NVIDIA_SMI: FAKE_SMI,
      WATTPRINT_NVIDIA_SMI_APPS_MS: '100',
      WATTPRINT_PROC_ROOT: '/proc',
      FAKE_SMI_CAPTURE: CAPTURE,
      FAKE_SMI_PHASE: 'load',
      FAKE_SMI_GPUS: String(GPUS),
      FAKE_SMI_APPS: join(dir, 'apps.csv'),
    },
  });
  await agent.start();

  // A completed job on two GPUs under an account the team file maps; a failed one of another user; an array.
  ids.completed = await slurm.sbatch(['-A', 'TeamA', '-J', 'train-a', '--gpus=2', '--wrap', script(3, 0)]);
  ids.failed = await slurm.sbatch(['-A', 'nlp', '-J', 'fail-b', '--gpus=1', '--wrap', script(2, 3)], 'nobody');
  const arrayId = await slurm.sbatch(['-A', 'speech', '-J', 'sweep', '-a', '1-2', '--gpus=1', '--wrap', script(2, 0)]);
  ids.array = arrayId;
  for (const id of [ids.completed, ids.failed]) slurmJobs.set(id, await slurm.waitFinal(id));
  await waitFor(
    'both array tasks to end',
    async () => {
      const tasks = await slurm!.jobs(arrayId);
      return tasks.length === 2 && tasks.every((t) => ['COMPLETED', 'FAILED'].includes(t.state)) ? tasks : undefined;
    },
    { timeoutMs: 60_000, everyMs: 200 },
  ).then((tasks) => {
    for (const t of tasks) {
      ids[`task${t.arrayTaskId}`] = t.jobId;
      slurmJobs.set(t.jobId, t);
    }
  });

  // A job cancelled while it runs, once the ledger holds some of its energy.
  ids.cancelled = await slurm.sbatch(['-J', 'cancel-c', '--gpus=1', '--wrap', script(120, 0)]);
  await waitFor(
    'the running job to be in the ledger',
    async () => {
      const j = await ledgerJob(ids.cancelled).catch(() => undefined);
      return j !== undefined && j.energy.samples >= 3;
    },
    { timeoutMs: 30_000, everyMs: 200 },
  );
  await slurm.scancel(ids.cancelled);
  slurmJobs.set(ids.cancelled, await slurm.waitFinal(ids.cancelled));
  await waitDelivered([ids.completed, ids.failed, ids.task1, ids.task2, ids.cancelled]);

  // The collector goes away; a job starts and ends meanwhile.
  await collector.stop();
  ids.offline = await slurm.sbatch(['-A', 'TeamA', '-J', 'offline-d', '--gpus=1', '--wrap', script(2, 0)]);
  slurmJobs.set(ids.offline, await slurm.waitFinal(ids.offline));
  // Its end waits in the spool too, settled from Slurm's final state, ready to go.
  offlineSpool = await waitFor(
    "the offline job's events to be spooled, its end settled",
    async () => {
      const events: Array<{ eventId: string; state: string }> = JSON.parse((await wattprintSlurm(['status', '--json'])).stdout).events;
      return events.length === 3 && events.every((e) => e.state === 'waiting') ? events : undefined;
    },
    { timeoutMs: 30_000, everyMs: 200 },
  );
  const line = hookLog().find((x) => x.hook === 'prolog' && x.jobId === ids.offline)!;
  offlineProlog = { outcome: line.outcome, ms: line.ms };

  // Back: the next job's prolog delivers its own start and sets off the delivery of what waited.
  await collector.start();
  ids.after = await slurm.sbatch(['-A', 'TeamA', '-J', 'after-e', '--gpus=1', '--wrap', script(1, 0)]);
  slurmJobs.set(ids.after, await slurm.waitFinal(ids.after));
  await waitDelivered([ids.offline, ids.after]);
  const flushed = await wattprintSlurm(['flush', '--json']);
  finalFlush = { code: flushed.code, report: JSON.parse(flushed.stdout) };

  await agent.stop();
  await waitFor('the queues to drain', () => queues.drained(), { timeoutMs: 30_000, everyMs: 200 });
}, 180_000);

afterAll(async () => {
  if (gpuTable) clearInterval(gpuTable);
  await agent?.dispose();
  await slurm?.stop();
  await collector?.forceStop();
  await queues?.close();
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  await testDb?.drop().catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The ledger's start is the prolog's clock, within 2 s of Slurm's StartTime; its end is Slurm's EndTime. */
function expectSlurmTimes(job: LedgerJob, slurmJob: ScontrolJob): void {
  expect(slurmJob.startAt).not.toBeNull();
  expect(Math.abs(Date.parse(job.job.startedAt!) - slurmJob.startAt!)).toBeLessThanOrEqual(2000);
  expect(Date.parse(job.job.endedAt!)).toBe(slurmJob.endAt);
}

/** The job's GPU energy is the captured power over its GPU-time, on exactly the GPUs Slurm gave it. */
function expectGpuEnergy(job: LedgerJob, id: string, host: string): void {
  const gpus = gpusOfJob.get(id);
  expect(gpus?.length).toBeGreaterThan(0);
  expect(job.energy.energyKWh).toBeGreaterThan(0);
  expect((job.energy.energyKWh * 3.6e6) / (job.energy.gpuHours * 3600)).toBeCloseTo(CAPTURED_POWER_W, 6);
  expect(job.nodes.map((n) => [n.node, n.devices.map((d) => `${d.kind}:${d.device}`).sort()])).toEqual([
    [host, gpus!.map((g) => `gpu:gpu${g}`).sort()],
  ]);
}

it('publishes a completed job: the team its account maps to, user, GPUs, node, partition, times from Slurm', async () => {
  const host = slurm!.host;
  const job = await ledgerJob(ids.completed);
  expect(slurmJobs.get(ids.completed)!.state).toBe('COMPLETED');
  expect(job.job).toMatchObject({
    id: ids.completed,
    name: 'train-a',
    user: 'root',
    team: 'vision',
    cluster: 'wattprint-it',
    state: 'ended',
    scheduler: 'slurm',
    schedulerJobId: ids.completed,
    exitCode: 0,
    exitState: 'COMPLETED',
  });
  expect(job.job.labels).toMatchObject({
    'slurm.partition': 'debug',
    'slurm.account': 'teama',
    'slurm.gpus': gpusOfJob.get(ids.completed)!.join(','),
    'slurm.nodelist': host,
  });
  expect(gpusOfJob.get(ids.completed)).toHaveLength(2);
  expectSlurmTimes(job, slurmJobs.get(ids.completed)!);
  expectGpuEnergy(job, ids.completed, host);
});

it("publishes a failed job of another user as FAILED with its script's exit status", async () => {
  const job = await ledgerJob(ids.failed);
  expect(slurmJobs.get(ids.failed)).toMatchObject({ state: 'FAILED', exitCode: '3:0' });
  expect(job.job).toMatchObject({ name: 'fail-b', user: 'nobody', team: 'nlp', state: 'ended', exitCode: 3, exitState: 'FAILED' });
  expectSlurmTimes(job, slurmJobs.get(ids.failed)!);
  expectGpuEnergy(job, ids.failed, slurm!.host);
});

it('publishes each array task as its own job, with the array job and task ids', async () => {
  for (const task of ['1', '2']) {
    const id = ids[`task${task}`];
    const job = await ledgerJob(id);
    expect(job.job).toMatchObject({
      name: 'sweep',
      team: 'speech',
      schedulerJobId: `${ids.array}_${task}`,
      exitState: 'COMPLETED',
      exitCode: 0,
    });
    expect(job.job.labels).toMatchObject({ 'slurm.array_job_id': ids.array, 'slurm.array_task_id': task });
    expectSlurmTimes(job, slurmJobs.get(id)!);
    expectGpuEnergy(job, id, slurm!.host);
  }
  expect(new Set([ids.task1, ids.task2]).size).toBe(2);
});

it('publishes a cancelled job as CANCELLED, though its epilog saw exit code 0', async () => {
  const job = await ledgerJob(ids.cancelled);
  expect(slurmJobs.get(ids.cancelled)!.state).toBe('CANCELLED');
  expect(job.job).toMatchObject({ name: 'cancel-c', state: 'ended', exitState: 'CANCELLED', exitCode: null });
  expectSlurmTimes(job, slurmJobs.get(ids.cancelled)!);
  expectGpuEnergy(job, ids.cancelled, slurm!.host);
});

it('runs a job while the collector is down, spools its events within the budget, and delivers them once it is back', async () => {
  expect(slurmJobs.get(ids.offline)!.state).toBe('COMPLETED');
  expect(gpusOfJob.has(ids.offline)).toBe(true); // the script ran
  expect(offlineProlog).toMatchObject({ outcome: 'spooled' });
  expect(offlineProlog!.ms).toBeLessThan(1000);
  expect(offlineSpool.map((e) => e.eventId).sort()).toEqual(
    [`:${ids.offline}:0:end`, `:${ids.offline}:0:meta`, `:${ids.offline}:0:start`].map((s) => `slurm:wattprint-it${s}`).sort(),
  );
  const job = await ledgerJob(ids.offline);
  expect(job.job).toMatchObject({ name: 'offline-d', team: 'vision', state: 'ended', exitState: 'COMPLETED' });
  expectSlurmTimes(job, slurmJobs.get(ids.offline)!);
  expectGpuEnergy(job, ids.offline, slurm!.host);
  // What waited went with the next job's prolog (the one that reached the collector), before that job's epilog.
  const log = hookLog();
  const afterProlog = log.findIndex((l) => l.hook === 'prolog' && l.jobId === ids.after);
  const afterEpilog = log.findIndex((l) => l.hook === 'epilog' && l.jobId === ids.after);
  const offlineDelivered = log
    .map((l, i) => (l.command === 'flush' && l.jobId === ids.offline && l.outcome === 'delivered' ? i : -1))
    .filter((i) => i >= 0);
  expect(offlineDelivered).toHaveLength(3);
  expect(log[afterProlog].outcome).toBe('delivered');
  for (const i of offlineDelivered) expect(i > afterProlog && i < afterEpilog).toBe(true);
  // The node was never drained, and the retry command finds nothing left to do.
  expect((await slurm!.client('sinfo', ['-h', '-N', '-o', '%T'])).stdout.trim()).toBe('idle');
  expect(finalFlush).toMatchObject({ code: 0, report: { waiting: 0, awaitingFinalState: 0, rejected: 0, error: null } });
});

it('applies a retried prolog once: the same event id, the job left as it was', async () => {
  const before = await ledgerJob(ids.completed);
  const gpus = gpusOfJob.get(ids.completed)!.join(',');
  // The environment slurmd gives a Prolog (see apps/slurm/test/fixtures), for the completed job.
  const env = {
    SLURM_JOB_ID: ids.completed,
    SLURM_JOBID: ids.completed,
    SLURMD_NODENAME: slurm!.host,
    SLURM_NODELIST: slurm!.host,
    SLURM_JOB_USER: 'root',
    SLURM_JOB_ACCOUNT: 'teama',
    SLURM_JOB_PARTITION: 'debug',
    SLURM_JOB_GPUS: gpus,
    SLURM_CLUSTER_NAME: 'wattprint-it',
    SLURM_JOB_RESTART_COUNT: '0',
    SLURM_CONF: slurm!.conf,
    SLURM_SCRIPT_CONTEXT: 'prolog_slurmd',
  };
  await run('/bin/sh', [join(dir, 'hooks', 'prolog.sh')], { env });
  const retried = hookLog().filter((l) => l.hook === 'prolog' && l.jobId === ids.completed);
  expect(retried.map((l) => l.outcome)).toEqual(['delivered', 'already-applied']);
  expect(await ledgerJob(ids.completed)).toEqual(before);
});

it('books energy to the Slurm job ids only, and each hook run stayed within its budget', async () => {
  const expected = [ids.completed, ids.failed, ids.task1, ids.task2, ids.cancelled, ids.offline, ids.after].sort();
  expect((await api.jobs()).map((j) => j.id).sort()).toEqual(expected);
  const runs = hookLog().filter((l) => (l.hook === 'prolog' || l.hook === 'epilog') && l.outcome !== 'already-applied');
  expect(runs.length).toBe(expected.length * 2);
  // A flush never sent an event a prolog was still delivering, nor one whose sender heard it land. An event
  // goes twice only when its first send got no answer in time (the prolog's budget or a flush's timeout ran
  // out under load while the collector applied it): the second send is then answered already-applied.
  const log = hookLog();
  const resent = log
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.command === 'flush' && l.outcome === 'already-applied')
    .map(({ l, i }) => ({
      eventId: l.eventId,
      before: log
        .slice(0, i)
        .filter((b) => b.eventId === l.eventId)
        .map((b) => b.outcome),
    }));
  for (const r of resent)
    expect({ eventId: r.eventId, unanswered: r.before.length > 0 && r.before.every((o) => o === 'spooled' || o === 'retry') }).toEqual({
      eventId: r.eventId,
      unanswered: true,
    });
  // The budget is 1000 ms, Node's start-up included; the log line is written just after.
  for (const r of runs) expect(r.ms).toBeLessThan(1250);
});

it('settles the end of a job Slurm has forgotten from what its epilog saw', async () => {
  const forgotten = '999999';
  const env = {
    SLURM_JOB_ID: forgotten,
    SLURMD_NODENAME: slurm!.host,
    SLURM_NODELIST: slurm!.host,
    SLURM_JOB_USER: 'root',
    SLURM_JOB_PARTITION: 'debug',
    SLURM_CLUSTER_NAME: 'wattprint-it',
    SLURM_JOB_RESTART_COUNT: '0',
    SLURM_JOB_EXIT_CODE2: '0:0',
    SLURM_CONF: slurm!.conf,
    // the resolve window, closed at once: squeue's "Invalid job id" is taken for final
    WATTPRINT_SLURM_RESOLVE_MS: '0',
  };
  const before = Date.now();
  await run('/bin/sh', [join(dir, 'hooks', 'epilog.sh')], { env });
  // the epilog's events arrive one after another (the job, then its end from the flush): wait for
  // the end, not just the job, or a slow machine reads it in between
  const job = await waitFor(
    'the forgotten job ended in the ledger',
    async () => {
      const found = await ledgerJob(forgotten).catch(() => undefined);
      return found?.job.state === 'ended' ? found : false;
    },
    { timeoutMs: 20_000, everyMs: 200 },
  );
  expect(job.job).toMatchObject({ state: 'ended', exitState: 'COMPLETED', exitCode: 0, scheduler: 'slurm' });
  expect(Date.parse(job.job.endedAt!)).toBeGreaterThanOrEqual(before);
  expect(hookLog().some((l) => l.command === 'flush' && l.jobId === forgotten && l.outcome === 'final-state-from-epilog')).toBe(true);
});

it("moves an event the collector refuses for good to rejected/, with the collector's answer", async () => {
  const record = {
    v: 1,
    queuedAt: 1,
    body: { eventId: 'slurm:wattprint-it:424242:0:start', type: 'start', jobId: '424242', at: 1, metadata: { scheduler: 'slurm' } },
    attempts: 0,
    lastError: null,
  };
  writeFileSync(join(spoolDir(), '0000000000001-slurm:wattprint-it:424242:0:start.json'), JSON.stringify(record));
  const flushed = await wattprintSlurm(['flush', '--json']);
  expect(flushed.code).toBe(0);
  expect(JSON.parse(flushed.stdout)).toMatchObject({ rejected: 1, waiting: 0, error: null });
  const moved = JSON.parse(readFileSync(join(spoolDir(), 'rejected', '0000000000001-slurm:wattprint-it:424242:0:start.json'), 'utf8'));
  expect(moved.reason).toMatch(/^collector answered 400: .*"path":"at"/);
  await expect(ledgerJob('424242')).rejects.toThrow('404');
});
