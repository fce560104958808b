/**
 * deploy/slurm/prolog.sh and epilog.sh as slurmd runs them (a clean environment: the captured one of a
 * real slurmd, plus where the env file is), against collectors that are away: a port nobody listens on,
 * and a black hole that takes the connection and never answers. The job must never wait longer than the
 * budget, and the event must wait in the spool. The delivery to a real collector is tools/e2e's Slurm test.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { capturedEnv, REPO_ROOT } from './support';

const run = promisify(execFile);
const PROLOG = join(REPO_ROOT, 'deploy/slurm/prolog.sh');
const EPILOG = join(REPO_ROOT, 'deploy/slurm/epilog.sh');
const BIN = join(REPO_ROOT, 'apps/slurm/bin/wattprint-slurm.js');

let dir: string;
let blackHole: Server;
let blackHolePort: number;
const held: Socket[] = [];

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'apps/slurm/dist/main.js'))) throw new Error('run npm run build first: missing apps/slurm/dist/main.js');
  blackHole = createServer((socket) => held.push(socket));
  await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
  blackHolePort = (blackHole.address() as { port: number }).port;
});

afterAll(async () => {
  for (const s of held) s.destroy();
  await new Promise((r) => blackHole.close(r));
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wattprint-hooks-'));
  writeFileSync(join(dir, 'token'), 'a-scheduler-token\n', { mode: 0o600 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** An env file in this test's directory; `extra` lines added or overriding. */
function envFile(url: string, extra: string[] = []): string {
  const path = join(dir, 'slurm.env');
  writeFileSync(
    path,
    [
      `WATTPRINT_URL=${url}`,
      `WATTPRINT_TOKEN_FILE=${join(dir, 'token')}`,
      `WATTPRINT_SLURM_SPOOL_DIR=${join(dir, 'spool')}`,
      ...extra,
    ].join('\n'),
  );
  return path;
}

/** Runs a hook wrapper as slurmd would (nothing but the hook's environment), timing it. */
async function hook(
  script: string,
  env: Record<string, string>,
  conf: string,
): Promise<{ code: number | null; ms: number; stderr: string }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', [script], { env: { ...env, WATTPRINT_SLURM_ENV: conf }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6, stderr }));
  });
}

const spoolFiles = () =>
  existsSync(join(dir, 'spool'))
    ? readdirSync(join(dir, 'spool'))
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
const logLines = () =>
  readFileSync(join(dir, 'spool', 'hook.log'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
const spooled = (file: string) => JSON.parse(readFileSync(join(dir, 'spool', file), 'utf8'));

async function waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!logLines().some(match)) {
    if (Date.now() > deadline) throw new Error(`no such log line within ${timeoutMs} ms: ${JSON.stringify(logLines())}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the prolog', () => {
  it('gives up on a collector that never answers within its budget, Node start-up included, and spools the start', async () => {
    const conf = envFile(`http://127.0.0.1:${blackHolePort}`, ['WATTPRINT_SLURM_TIMEOUT_MS=1000']);
    const result = await hook(PROLOG, capturedEnv('prolog.1.env'), conf);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(1000 + 800);
    expect(spoolFiles()).toEqual([expect.stringMatching(/^\d{13}-slurm:itest:1:0:start\.json$/)]);
    const [line] = logLines();
    expect(line).toMatchObject({ hook: 'prolog', jobId: '1', outcome: 'spooled' });
    // On a machine so loaded that Node took the whole budget to start, it does not even try.
    expect(line.error).toMatch(
      new RegExp(`^(no answer from http://127\\.0\\.0\\.1:${blackHolePort} within \\d+ ms|no time left in the budget)$`),
    );
    if (line.error.startsWith('no answer')) expect(held.length).toBeGreaterThan(0); // it connected: the wait was for the answer
    expect(line.ms).toBeLessThanOrEqual(1000 + 150);
  });

  it('spools at once when the collector is down, and a retried prolog keeps one copy of its event', async () => {
    const conf = envFile('http://127.0.0.1:9');
    const first = await hook(PROLOG, capturedEnv('prolog.1.env'), conf);
    const again = await hook(PROLOG, capturedEnv('prolog.1.env'), conf);
    expect([first.code, again.code]).toEqual([0, 0]);
    expect(spoolFiles()).toHaveLength(1);
    const record = spooled(spoolFiles()[0]);
    // the second run wrote its own attempt over the first's
    expect(record).toMatchObject({
      attempts: 1,
      lastError: 'http://127.0.0.1:9: ECONNREFUSED',
      body: { eventId: 'slurm:itest:1:0:start' },
    });
    expect(logLines().map((l) => l.outcome)).toEqual(['spooled', 'spooled']);
  });

  it('spools, and says why, when it is not configured to send', async () => {
    const conf = join(dir, 'slurm.env');
    writeFileSync(conf, `WATTPRINT_SLURM_SPOOL_DIR=${join(dir, 'spool')}\nWATTPRINT_SLURM_TYPO=1\n`);
    expect((await hook(PROLOG, capturedEnv('prolog.1.env'), conf)).code).toBe(0);
    expect(spooled(spoolFiles()[0]).lastError).toBe('WATTPRINT_URL is not set (or not an http(s) URL)');
    expect(logLines()[0].configProblems).toEqual([
      expect.stringContaining(`${conf}: unknown variable WATTPRINT_SLURM_TYPO (known: WATTPRINT_URL,`),
      'WATTPRINT_URL is not set: expected the collector base URL; events stay in the spool',
      'WATTPRINT_TOKEN_FILE is not set: expected the path of a scheduler token; events stay in the spool',
    ]);
  });

  it('holds the event in the spool while the team mapping is broken, naming the file and the line', async () => {
    writeFileSync(join(dir, 'teams'), 'teama vision\nnlp\n');
    const conf = envFile('http://127.0.0.1:9', [`WATTPRINT_SLURM_TEAMS=${join(dir, 'teams')}`]);
    expect((await hook(PROLOG, capturedEnv('prolog.1.env'), conf)).code).toBe(0);
    expect(spooled(spoolFiles()[0]).lastError).toBe(`${join(dir, 'teams')}:2: expected "<account> <team>", got "nlp"`);
  });

  it('is killed, and still exits 0, when Node itself hangs: 2-3 s past the budget', async () => {
    writeFileSync(join(dir, 'hanging-node'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
    const conf = envFile('http://127.0.0.1:9', [`WATTPRINT_SLURM_NODE=${join(dir, 'hanging-node')}`, 'WATTPRINT_SLURM_TIMEOUT_MS=1000']);
    const result = await hook(PROLOG, capturedEnv('prolog.1.env'), conf);
    expect(result.code).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(2900);
    expect(result.ms).toBeLessThan(4500);
  });

  it('does nothing on the other nodes of a job', async () => {
    const conf = envFile('http://127.0.0.1:9');
    const env = { ...capturedEnv('prolog.1.env'), SLURM_NODELIST: 'gpu[01-02]', SLURMD_NODENAME: 'gpu02' };
    expect((await hook(PROLOG, env, conf)).code).toBe(0);
    expect(spoolFiles()).toEqual([]);
  });

  it('exits 0 whatever goes wrong: no job, no node binary, no program, a spool it cannot write', async () => {
    const conf = envFile('http://127.0.0.1:9');
    expect((await hook(PROLOG, {}, conf)).code).toBe(0);
    expect(logLines()).toEqual([
      expect.objectContaining({ hook: 'prolog', outcome: 'skipped', error: expect.stringContaining('SLURM_JOB_ID=null') }),
    ]);
    for (const extra of ['WATTPRINT_SLURM_NODE=/nonexistent/node', 'WATTPRINT_SLURM_PROGRAM=/nonexistent/wattprint-slurm.js']) {
      expect((await hook(PROLOG, capturedEnv('prolog.1.env'), envFile('http://127.0.0.1:9', [extra]))).code).toBe(0);
    }
    writeFileSync(join(dir, 'not-a-dir'), '');
    const unwritable = envFile('http://127.0.0.1:9', [
      `WATTPRINT_SLURM_SPOOL_DIR=${join(dir, 'not-a-dir', 'spool')}`,
      'WATTPRINT_SLURM_LOG=-',
    ]);
    const result = await hook(PROLOG, capturedEnv('prolog.1.env'), unwritable);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('"outcome":"lost"');
    expect(result.stderr).toContain('cannot spool: ENOTDIR');
  });
});

describe('the epilog', () => {
  it('spools the end as awaiting its final state and returns; without Slurm to ask, the end stays pending', async () => {
    const conf = envFile('http://127.0.0.1:9', ['WATTPRINT_SLURM_RESOLVE_MS=0']);
    const result = await hook(EPILOG, capturedEnv('epilog.3.env'), conf);
    expect(result.code).toBe(0);
    expect(result.ms).toBeLessThan(1000);
    const record = spooled(spoolFiles()[0]);
    expect(record.body).toEqual({ eventId: 'slurm:itest:3:0:end', type: 'end', jobId: '3', at: record.queuedAt });
    expect(record.pending).toMatchObject({ exitCode2: '3:0', job: { jobId: '3', user: 'root' } });
    // Its background step asks squeue, which retries for a minute against a slurm.conf of another machine;
    // it gives up after 5 s, asks no more, and ends: nothing outlives the test.
    await waitForLog((l) => l.command === 'flush' && l.outcome === 'done', 20_000);
    expect(logLines().map((l) => l.outcome)).toEqual(['awaiting-final-state', 'final-state-not-yet', 'done']);
    expect(logLines()[2]).toMatchObject({ awaitingFinalState: 1, waiting: 0, delivered: 0 });
    expect(spooled(spoolFiles()[0]).pending).toBeDefined();
  }, 30_000);
});

describe('wattprint-slurm flush and status, the retry command', () => {
  it('exits 1 while events wait for the collector, says why, and lists them', async () => {
    const conf = envFile('http://127.0.0.1:9');
    await hook(PROLOG, capturedEnv('prolog.1.env'), conf);
    await hook(PROLOG, capturedEnv('prolog.6.env'), conf);
    const env = { ...process.env, WATTPRINT_SLURM_ENV: conf };
    const flushed = await run(process.execPath, [BIN, 'flush', '--json'], { env }).catch((e) => e);
    expect(flushed.code).toBe(1);
    expect(JSON.parse(flushed.stdout)).toEqual({
      delivered: 0,
      alreadyApplied: 0,
      rejected: 0,
      waiting: 2,
      awaitingFinalState: 0,
      dropped: 0,
      error: 'http://127.0.0.1:9: ECONNREFUSED',
      skipped: null,
    });
    const status = JSON.parse((await run(process.execPath, [BIN, 'status', '--json'], { env })).stdout);
    expect(status.events.map((e: { eventId: string; attempts: number }) => [e.eventId, e.attempts])).toEqual([
      ['slurm:itest:1:0:start', 2],
      ['slurm:itest:6:0:start', 1],
    ]);
    const table = (await run(process.execPath, [BIN, 'status'], { env })).stdout;
    expect(table).toContain('2 event(s), 0 rejected, 0 dropped');
    expect(table).toMatch(/slurm:itest:6:0:start\s+6\s+waiting\s+\S+\s+1\s+http:\/\/127\.0\.0\.1:9: ECONNREFUSED/);
  });

  it('refuses a bad argument with exit 2', async () => {
    const bad = await run(process.execPath, [BIN, 'flush', '--wait-for', '12x'], {
      env: { ...process.env, WATTPRINT_SLURM_ENV: envFile('http://x') },
    }).catch((e) => e);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--wait-for "12x": expected a Slurm job id');
    expect((await run(process.execPath, [BIN, 'nope']).catch((e) => e)).code).toBe(2);
  });

  it('holds the spool to its bound while the collector stays away, counting what it dropped', async () => {
    const conf = envFile('http://127.0.0.1:9', ['WATTPRINT_SLURM_SPOOL_MAX_BYTES=65536']);
    // 3,000 nodes make each start event about 30 KB: the bound holds two.
    const base = { ...capturedEnv('prolog.1.env'), SLURM_NODELIST: 'gpu[0001-3000]', SLURMD_NODENAME: 'gpu0001' };
    for (let i = 0; i < 6; i++) await hook(PROLOG, { ...base, SLURM_JOB_ID: String(1000 + i) }, conf);
    const bytes = spoolFiles().reduce((s, f) => s + readFileSync(join(dir, 'spool', f)).length, 0);
    expect(bytes).toBeLessThanOrEqual(65_536);
    expect(spoolFiles()).toHaveLength(2);
    expect(spoolFiles().map((f) => spooled(f).body.eventId)).toEqual(['slurm:itest:1004:0:start', 'slurm:itest:1005:0:start']);
    expect(readFileSync(join(dir, 'spool', 'dropped'), 'utf8')).toBe('4');
    expect(
      logLines()
        .filter((l) => l.dropped)
        .map((l) => [l.jobId, l.dropped]),
    ).toEqual([
      ['1002', 1],
      ['1003', 1],
      ['1004', 1],
      ['1005', 1],
    ]);
  }, 60_000);
});
