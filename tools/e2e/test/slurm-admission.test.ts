/**
 * deploy/slurm/job_submit.lua in a real single-node Slurm (support/slurm-cluster.ts: slurmctld, slurmd and
 * munged from Debian's packages, JobSubmitPlugins=lua) against a real collector: a job whose comment names
 * a run spec is checked against its account's team budgets through `wattprint-slurm admit`. Over budget in
 * refuse mode: sbatch fails with the verdict's line; under budget: accepted; warn mode: accepted with the
 * line; the collector away: accepted, and the user told so.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { CollectorProcess, REPO_ROOT, requireBuiltApps } from '@wattprint/sim';
import { requireSlurm, SlurmCluster } from './support/slurm-cluster';

const run = promisify(execFile);
const SLURM_BIN = join(REPO_ROOT, 'apps/slurm/bin/wattprint-slurm.js');
const SHARED_REDIS = process.env.WATTPRINT_TEST_REDIS ?? 'redis://127.0.0.1:6379';

let dir: string;
let testDb: TestDatabase;
let collector: CollectorProcess;
let slurm: SlurmCluster | undefined;
let specPath: string;
const prefix = `{wattprint-admit-${randomBytes(6).toString('hex')}}`;
const envFile = () => join(dir, 'slurm.env');

function writeEnv(mode: 'warn' | 'refuse'): void {
  writeFileSync(
    envFile(),
    [
      `WATTPRINT_URL=${collector.baseUrl}`,
      `WATTPRINT_TOKEN_FILE=${join(dir, 'slurm.token')}`,
      `WATTPRINT_SLURM_SPOOL_DIR=${join(dir, 'spool')}`,
      `WATTPRINT_SLURM_NODE=${process.execPath}`,
      `WATTPRINT_SLURM_PROGRAM=${SLURM_BIN}`,
      `WATTPRINT_SLURM_ADMISSION=${mode}`,
      'WATTPRINT_SLURM_ADMIT_TIMEOUT_MS=5000',
    ].join('\n'),
  );
}

async function post(path: string, token: string, body: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${collector.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, any>;
  if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** sbatch as root: the job id, or what sbatch printed when it failed. */
async function submit(args: string[]): Promise<{ id: string | null; stderr: string }> {
  try {
    const { stdout, stderr } = await run('sbatch', ['--parsable', `--chdir=${slurm!.jobsDir}`, '--output=/dev/null', ...args], {
      env: slurm!.env,
      timeout: 60_000,
    });
    return { id: stdout.trim().split(';')[0], stderr };
  } catch (error) {
    return { id: null, stderr: (error as { stderr?: string }).stderr ?? String(error) };
  }
}

beforeAll(async () => {
  requireSlurm();
  requireBuiltApps();
  if (!existsSync(join(REPO_ROOT, 'apps/slurm/dist/admit.js')))
    throw new Error('run npm run build first: missing apps/slurm/dist/admit.js');
  dir = mkdtempSync(join(tmpdir(), 'wattprint-e2e-admit-'));
  chmodSync(dir, 0o755);
  testDb = await createTestDatabase('postgres');
  const admin = `e2e-bootstrap-${randomBytes(12).toString('hex')}`;
  collector = await CollectorProcess.start({
    name: 'collector',
    role: 'api',
    databaseUrl: testDb.url,
    redisUrl: SHARED_REDIS,
    bootstrapToken: admin,
    env: { WATTPRINT_QUEUE_PREFIX: prefix },
  });
  const scheduler = (await post('/api/v1/tokens', admin, { name: 'slurm', role: 'scheduler' })).secret as string;
  writeFileSync(join(dir, 'slurm.token'), `${scheduler}\n`, { mode: 0o600 });
  // a team whose budget the example's forecast alone overruns, and one with room
  await post('/api/v1/budgets', admin, { name: 'tiny', team: 'over', unit: 'kWh', amount: 1e-6, period: 'month' });
  await post('/api/v1/budgets', admin, { name: 'roomy', team: 'under', unit: 'kWh', amount: 1000, period: 'month' });
  specPath = join(dir, 'spec.yaml');
  copyFileSync(join(REPO_ROOT, 'examples/mnist-dedicated.yaml'), specPath);
  writeEnv('refuse');
  slurm = await SlurmCluster.start({
    prolog: '/bin/true',
    epilog: '/bin/true',
    gpus: 1,
    jobSubmitLua: join(REPO_ROOT, 'deploy/slurm/job_submit.lua'),
    ctldEnv: { WATTPRINT_SLURM_ENV: envFile() },
  });
}, 180_000);

afterAll(async () => {
  await slurm?.stop();
  await collector?.stop().catch(() => undefined);
  await testDb?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('job_submit.lua', () => {
  it('refuses a job over its team budget with the verdict line, in refuse mode', async () => {
    const refused = await submit(['-A', 'over', `--comment=wattprint-spec=${specPath}`, '--wrap', 'true']);
    expect(refused.id).toBeNull();
    expect(refused.stderr).toMatch(/wattprint: refuse: job forecast .* kWh \(p50; p90 .*\) would overrun budget "tiny" of team over: /);
  }, 60_000);

  it('accepts a job under budget, and one without a spec', async () => {
    const under = await submit(['-A', 'under', `--comment=wattprint-spec=${specPath}`, '--wrap', 'true']);
    expect(under.id).toMatch(/^\d+$/);
    expect(under.stderr).not.toMatch(/refuse/);
    const plain = await submit(['-A', 'over', '--wrap', 'true']);
    expect(plain.id).toMatch(/^\d+$/);
  }, 60_000);

  it('refuses a spec the model cannot use, naming the path', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ name: 'x', model: 42 }));
    const refused = await submit(['-A', 'under', `--comment=wattprint-spec=${bad}`, '--wrap', 'true']);
    expect(refused.id).toBeNull();
    expect(refused.stderr).toContain(`wattprint: ${bad}: spec.`);
  }, 60_000);

  it('accepts with the line in warn mode', async () => {
    writeEnv('warn');
    try {
      const warned = await submit(['-A', 'over', `--comment=wattprint-spec=${specPath}`, '--wrap', 'true']);
      expect(warned.id).toMatch(/^\d+$/);
      expect(warned.stderr).toMatch(/wattprint: refuse: job forecast .* would overrun budget "tiny"/);
    } finally {
      writeEnv('refuse');
    }
  }, 60_000);

  it('accepts a job and says so when the collector is away', async () => {
    await collector.stop();
    const accepted = await submit(['-A', 'over', `--comment=wattprint-spec=${specPath}`, '--wrap', 'true']);
    expect(accepted.id).toMatch(/^\d+$/);
    expect(accepted.stderr).toMatch(/wattprint: budget check skipped, job accepted: .*ECONNREFUSED/);
  }, 60_000);
});
