/**
 * `wattprint run` through the whole chain, with no stand-in for any part of ours: the wrapper launches
 * a command; the node's agent finds the command's pid among the GPU's compute processes (a fake
 * nvidia-smi serving a real H100 capture, whose process list is this command), reads its job from the
 * real /proc, and streams signed batches over a private Redis to a collector on PostgreSQL; the wrapper
 * stores its forecast there before launch and reads the job back when the command ends.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { CollectorClient } from '@wattprint/api-client';
import { AgentProcess, CollectorProcess, REPO_ROOT, RedisServer, requireBuiltApps, waitFor } from '@wattprint/sim';
import { JOULES_PER_KWH } from '@wattprint/carbon';

const CLI_BIN = join(REPO_ROOT, 'apps/cli/bin/wattprint.js');
const FAKE_SMI = join(REPO_ROOT, 'apps/agent/test/fixtures/fake-nvidia-smi.js');
const CAPTURE = join(REPO_ROOT, 'apps/agent/test/fixtures/nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt');
/** power.draw of that capture's loaded H100, which the agent integrates sample by sample. */
const CAPTURED_POWER_W = 631.95;
const PUE = 1.25;

/** The job's command: writes its pid, then waits for a `stop` file. */
const CHILD = `
const fs = require('fs');
const dir = process.argv[2];
fs.writeFileSync(dir + '/pid', String(process.pid));
const poll = setInterval(() => { if (fs.existsSync(dir + '/stop')) { clearInterval(poll); process.exit(0); } }, 10);
`;

let dir: string;
let testDb: TestDatabase;
let redis: RedisServer;
let collector: CollectorProcess;
let agent: AgentProcess | undefined;
let wrapper: ChildProcess | undefined;

beforeAll(async () => {
  requireBuiltApps();
  dir = mkdtempSync(join(tmpdir(), 'wattprint-e2e-run-'));
  writeFileSync(join(dir, 'child.js'), CHILD);
  [testDb, redis] = await Promise.all([createTestDatabase('postgres'), RedisServer.start()]);
}, 60_000);

afterAll(async () => {
  if (wrapper && wrapper.exitCode === null) wrapper.kill('SIGKILL');
  await agent?.dispose();
  await collector?.forceStop();
  await redis?.dispose();
  await testDb?.drop().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function waitForFile(path: string): Promise<string> {
  return waitFor(`${path} to appear`, async () => (existsSync(path) ? readFileSync(path, 'utf8') : undefined), {
    timeoutMs: 20_000,
    everyMs: 20,
  });
}

it('books the GPU energy of a command launched with `wattprint run` to its job, with its team, project and forecast', async () => {
  const token = `e2e-bootstrap-${randomBytes(12).toString('hex')}`;
  collector = await CollectorProcess.start({
    name: 'collector',
    role: 'all',
    databaseUrl: testDb.url,
    redisUrl: redis.url,
    bootstrapToken: token,
  });
  const api = new CollectorClient({ baseUrl: collector.baseUrl, token });
  await api.createSite({ id: 'paris', name: 'Paris', region: 'FR', pue: PUE });
  const registered = await api.registerAgent({ id: 'gpu07', node: 'gpu07', siteId: 'paris' });

  const summaryPath = join(dir, 'summary.json');
  let stderr = '';
  wrapper = spawn(
    process.execPath,
    [
      CLI_BIN,
      'run',
      '--url',
      collector.baseUrl,
      '--token',
      token,
      '--forecast',
      join(REPO_ROOT, 'examples/mnist-dedicated.yaml'),
      '--job-id',
      'e2e-train-1',
      '--team',
      'vision',
      '--project',
      'mnist',
      '--summary',
      summaryPath,
      '--search',
      'e2e-sweep',
      '--trial',
      '3',
      '--',
      process.execPath,
      join(dir, 'child.js'),
      dir,
    ],
    { cwd: REPO_ROOT, stdio: ['pipe', 'ignore', 'pipe'] },
  );
  wrapper.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const ended = new Promise<number | null>((resolve) => wrapper?.on('close', resolve));
  const pid = Number(await waitForFile(join(dir, 'pid')));

  // The GPU's compute processes are the captured header and one row: the job's command.
  const apps = join(dir, 'apps.csv');
  writeFileSync(
    apps,
    [
      'timestamp, gpu_name, gpu_bus_id, gpu_serial, gpu_uuid, pid, process_name, used_gpu_memory [MiB]',
      `2026/07/14 08:12:53.500, NVIDIA H100 80GB HBM3, 00000000:00:09.0, 0000000000000, GPU-00000000-0000-0000-0000-000000000000, ${pid}, node, 15690 MiB`,
    ].join('\n'),
  );
  agent = new AgentProcess({
    agentId: registered.id,
    node: 'gpu07',
    key: registered.key,
    redisUrl: redis.url,
    replayPath: join(dir, 'unused-trace.csv'),
    replaySpeed: 1,
    intervalMs: 200,
    flushMs: 500,
    env: {
      WATTPRINT_SOURCES: 'nvidia-smi',
      WATTPRINT_NVIDIA_SMI: FAKE_SMI,
      WATTPRINT_PROC_ROOT: '/proc',
      FAKE_SMI_CAPTURE: CAPTURE,
      FAKE_SMI_PHASE: 'load',
      FAKE_SMI_APPS: apps,
    },
  });
  await agent.start();

  // Let the job run until the ledger holds a few seconds of it, then end the command.
  await waitFor(
    'the ledger to hold the job',
    async () => {
      const job = await api.job('e2e-train-1').catch(() => undefined);
      return job && job.energy.samples >= 10 ? job : undefined;
    },
    { timeoutMs: 30_000, everyMs: 200 },
  );
  writeFileSync(join(dir, 'stop'), '');
  expect(await ended).toBe(0);
  // the command is gone from /proc: the agent ends its job within a few polls
  await waitFor('the agent to end the job', async () => ((await api.job('e2e-train-1')).job.state === 'ended' ? true : undefined), {
    timeoutMs: 20_000,
    everyMs: 200,
  });
  await agent.stop();

  const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
  expect(summary.forecast.id).toMatch(/^fc_[0-9a-f]{32}$/);
  expect(summary.ledger.energyKWh).toBeGreaterThan(0);
  expect(stderr).toContain('wattprint: in the ledger so far: ');

  const job = await api.job('e2e-train-1');
  expect(job.job).toMatchObject({
    id: 'e2e-train-1',
    name: 'node',
    team: 'vision',
    project: 'mnist',
    inferred: false,
    scheduler: 'wrapper',
    forecastId: summary.forecast.id,
  });
  // The command held the whole GPU, so every interval's energy is the captured power over its length.
  const seconds = job.energy.gpuHours * 3600;
  expect((job.energy.energyKWh * JOULES_PER_KWH) / seconds).toBeCloseTo(CAPTURED_POWER_W, 6);
  expect(job.energy.facilityEnergyKWh / job.energy.energyKWh).toBeCloseTo(PUE, 9);
  expect(job.nodes.map((n) => [n.node, n.devices.map((d) => `${d.kind}:${d.device}`)])).toEqual([['gpu07', ['gpu:gpu0']]]);
  // What the wrapper read at the end is the ledger up to then; the agent's last flush may come after.
  expect(summary.ledger.energyKWh).toBeLessThanOrEqual(job.energy.energyKWh);

  // --search/--trial: the agent labelled the job as a trial, and the search sees it as one
  expect((job.job as { labels?: Record<string, string> }).labels).toMatchObject({
    'wattprint.search': 'e2e-sweep',
    'wattprint.trial': '3',
  });
  const get = async <T>(path: string, method = 'GET'): Promise<T> => {
    const res = await fetch(`${collector.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    expect([path, res.status]).toEqual([path, 200]);
    return (await res.json()) as T;
  };
  const search = await get<{ trials: unknown; measured: { endedKWh: number } }>('/searches/e2e-sweep');
  expect(search.trials).toMatchObject({ planned: null, ended: 1, items: [{ jobId: 'e2e-train-1', trial: 3, state: 'ended' }] });
  expect(search.measured.endedKWh).toBe(job.energy.energyKWh);

  // the ledger loop: the ended job becomes an observation of the spec's profile, and the forecast is scored
  const refit = await get<{ profiles: string[] }>('/calibration/refit', 'POST');
  expect(refit).toMatchObject({ jobs: 1, observations: 1 });
  const calibration = await get<{ profiles: unknown[] }>('/calibration');
  expect(calibration.profiles).toEqual([expect.objectContaining({ observations: 1, profile: refit.profiles[0] })]);
  const accuracy = await get<{ groups: unknown[] }>('/forecasts/accuracy?groupBy=team');
  expect(accuracy.groups).toEqual([expect.objectContaining({ key: 'vision', count: 1 })]);
}, 120_000);
