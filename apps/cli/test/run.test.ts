import { forecast } from '@wattprint/estimation';
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parse } from 'yaml';
// What `wattprint run` writes where the agent reads it (JOB_ENV, in /proc/<pid>/environ); that the real
// agent then books the process to the job is tools/e2e/test/wattprint-run.test.ts.
import { JOB_ENV } from '@wattprint/protocol';
import { BIN, buildBin } from './built-bin';
import { example, ROOT, scratchDir, waitForFile } from './run-cli';

/**
 * The command `wattprint run` launches in these tests: it writes its pid, then waits for a `stop` file
 * (whose text is its exit code) or a signal (which it records, then exits 7 for SIGTERM, 9 for SIGINT).
 */
const CHILD = `
const fs = require('fs');
const dir = process.argv[2];
const codes = { SIGTERM: 7, SIGINT: 9, SIGHUP: 11 };
for (const s of Object.keys(codes)) process.on(s, () => { fs.writeFileSync(dir + '/signal', s); process.exit(codes[s]); });
// written whole, then renamed: the test reads the file as soon as it exists
fs.writeFileSync(dir + '/pid.part', String(process.pid));
fs.renameSync(dir + '/pid.part', dir + '/pid');
const poll = setInterval(() => {
  // the test writes the file in two steps (create, then its code): wait for the code
  const code = fs.existsSync(dir + '/stop') ? fs.readFileSync(dir + '/stop', 'utf8') : '';
  if (code === '') return;
  clearInterval(poll);
  process.exit(Number(code));
}, 10);
`;

let built: ReturnType<typeof buildBin>;
let dir: string;
let child: string;

beforeAll(() => {
  built = buildBin();
  dir = scratchDir();
  child = join(dir, 'child.js');
  writeFileSync(child, CHILD);
}, 60_000);

afterAll(() => {
  built?.cleanUp();
  rmSync(dir, { recursive: true, force: true });
});

interface Wrapper {
  process: ChildProcess;
  ended: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

/** Starts the built `wattprint` with its stdin a pipe, as under a scheduler: not a terminal. */
function wattprint(args: string[], env: NodeJS.ProcessEnv = {}): Wrapper {
  const p = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...built.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { process: p, ended: new Promise((resolve) => p.on('close', (status) => resolve({ status, stdout, stderr }))) };
}

/** A process's environment as /proc shows it: NUL-separated NAME=value. */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

describe('wattprint run', () => {
  it("tags the command's process so that the node's agent books it to the job, and exits with its status", async () => {
    const d = scratchDir();
    const run = wattprint([
      'run',
      '--job-id',
      'train-42',
      '--name',
      'resnet50',
      '--user',
      'alice',
      '--team',
      'vision',
      '--project',
      'imagenet',
      '--cluster',
      'north',
      '--',
      process.execPath,
      child,
      d,
    ]);
    const pid = Number(await waitForFile(join(d, 'pid')));

    // The real /proc of the real command: what the node's agent reads for every process on a GPU.
    const env = environOf(pid);
    expect(Object.fromEntries(Object.values(JOB_ENV).map((name) => [name, env[name]]))).toEqual({
      [JOB_ENV.jobId]: 'train-42',
      [JOB_ENV.name]: 'resnet50',
      [JOB_ENV.user]: 'alice',
      [JOB_ENV.team]: 'vision',
      [JOB_ENV.project]: 'imagenet',
      [JOB_ENV.cluster]: 'north',
      [JOB_ENV.forecastId]: undefined,
    });

    writeFileSync(join(d, 'stop'), '5');
    const { status, stderr } = await run.ended;
    expect(status).toBe(5);
    expect(stderr).toMatch(/^wattprint: job train-42\n/);
    expect(stderr).toMatch(/^wattprint: job train-42: `\S+ \S+child\.js \S+` exited 5 after [\d.]+ (s|min)$/m);
    rmSync(d, { recursive: true, force: true });
  });

  it('gives the job a unique id of its node and start time, and the command name as job name', async () => {
    const d = scratchDir();
    const run = wattprint(['run', process.execPath, child, d]);
    const env = environOf(Number(await waitForFile(join(d, 'pid'))));
    writeFileSync(join(d, 'stop'), '0');
    expect((await run.ended).status).toBe(0);
    expect(env.WATTPRINT_JOB_ID).toMatch(/^run-[A-Za-z0-9-]+-\d{8}T\d{6}Z-[0-9a-f]{8}$/);
    expect(env.WATTPRINT_JOB_NAME).toBe(process.execPath.split('/').pop());
    expect(env.WATTPRINT_TEAM).toBeUndefined();
    rmSync(d, { recursive: true, force: true });
  });

  it.each([
    ['SIGTERM', 7],
    ['SIGHUP', 11],
    // Not on a terminal, a SIGINT can only have been sent to the wrapper, so it is passed on too.
    ['SIGINT', 9],
  ] as const)('passes %s on to the command and ends with the status the command chose', async (signal, code) => {
    const d = scratchDir();
    const run = wattprint(['run', '--job-id', `sig-${signal}`, '--', process.execPath, child, d]);
    await waitForFile(join(d, 'pid'));
    run.process.kill(signal);
    const { status } = await run.ended;
    expect(readFileSync(join(d, 'signal'), 'utf8')).toBe(signal);
    expect(status).toBe(code);
    rmSync(d, { recursive: true, force: true });
  });

  it('exits 128 + the signal when a signal ends the command, as a shell does', async () => {
    const { status, stderr } = await wattprint(['run', '--', process.execPath, '-e', "process.kill(process.pid, 'SIGKILL')"]).ended;
    expect(status).toBe(137);
    expect(stderr).toContain('was ended by SIGKILL');
  });

  it('leaves the options after the command to the command', async () => {
    const { status, stdout } = await wattprint(['run', '--quiet', 'sh', '-c', 'echo "$@"', 'sh', '--team', 'x', '--json']).ended;
    expect(status).toBe(0);
    expect(stdout).toBe('--team x --json\n');
  });

  it('exits 127 for a command that is not there and 126 for one that cannot be executed, saying which', async () => {
    const missing = await wattprint(['run', '--', 'wattprint-no-such-command', '--flag']).ended;
    expect(missing.status).toBe(127);
    expect(missing.stderr).toContain('wattprint run: cannot run "wattprint-no-such-command": no such command on PATH\n');

    const plain = join(dir, 'not-executable.sh');
    writeFileSync(plain, 'echo hi\n');
    chmodSync(plain, 0o644);
    const denied = await wattprint(['run', '--', plain]).ended;
    expect(denied.status).toBe(126);
    expect(denied.stderr).toContain(`wattprint run: cannot run ${JSON.stringify(plain)}: `);
  });

  it('refuses bad flags before anything runs, naming each, with status 1', async () => {
    const d = scratchDir();
    const flags = await wattprint([
      'run',
      '--job-id',
      'no spaces please',
      '--team',
      '',
      '--forecast',
      'a.yaml',
      '--forecast-id',
      'fc_1',
      '--',
      process.execPath,
      child,
      d,
    ]).ended;
    expect(flags.status).toBe(1);
    expect(flags.stderr).toBe(
      '--forecast and --forecast-id: got both; expected one (a spec to store, or the id of a stored one)\n' +
        '--job-id: got "no spaces please"; expected letters, digits and . _ : @ - (starting with a letter or digit)\n' +
        '--team: got ""; expected 1 to 128 characters\n',
    );
    const spec = await wattprint(['run', '--forecast', 'examples/no-such-spec.yaml', '--', process.execPath, child, d]).ended;
    expect(spec.status).toBe(1);
    expect(spec.stderr).toBe('examples/no-such-spec.yaml: cannot read the file (no such file); expected a readable JSON or YAML file\n');
    const url = await wattprint(['run', '--url', 'collector:8080', '--', process.execPath, child, d], { WATTPRINT_TOKEN: '' }).ended;
    expect(url.status).toBe(1);
    expect(url.stderr).toBe('--url: got "collector:8080"; expected an http:// or https:// URL\n');
    const noToken = await wattprint(['run', '--url', 'http://collector:8080', '--', process.execPath, child, d], { WATTPRINT_TOKEN: '' })
      .ended;
    expect(noToken.status).toBe(1);
    expect(noToken.stderr).toBe('--url: given without a token; expected --token, --token-file or WATTPRINT_TOKEN as well\n');
    expect(existsSync(join(d, 'pid'))).toBe(false);
    rmSync(d, { recursive: true, force: true });
  });

  it('without a token, forecasts the spec here, says so, and writes what happened to --summary', async () => {
    const summaryPath = join(dir, 'summary.json');
    const run = await wattprint(
      [
        'run',
        '--job-id',
        'local-1',
        '--forecast',
        'examples/mnist-dedicated.yaml',
        '--summary',
        summaryPath,
        '--',
        process.execPath,
        '-e',
        'process.exit(process.env.WATTPRINT_FORECAST_ID ? 3 : 0)',
      ],
      { WATTPRINT_TOKEN: '' },
    ).ended;
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^wattprint: job local-1; forecast \(computed here, not stored: no token\): \S+ \w?Wh \(p10–p90 /);

    const expected = forecast(parse(readFileSync(example('mnist-dedicated.yaml'), 'utf8')));
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    expect(summary).toEqual({
      jobId: 'local-1',
      command: [process.execPath, '-e', 'process.exit(process.env.WATTPRINT_FORECAST_ID ? 3 : 0)'],
      startedAt: expect.any(String),
      endedAt: expect.any(String),
      durationS: expect.any(Number),
      exitStatus: 0,
      signal: null,
      startError: null,
      forecast: { id: null, energyKWh: expected.energyKWh, co2eqKg: expected.co2eqKg },
      ledger: null,
      ledgerProblem: null,
    });
    expect(Date.parse(summary.endedAt) - Date.parse(summary.startedAt)).toBe(Math.round(summary.durationS * 1000));
  });

  it('keeps the command’s status when the summary cannot be written', async () => {
    // A missing folder is created (as for `calibrate -o .wattprint/calib.json`); one under a file cannot be.
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const run = await wattprint(['run', '--quiet', '--summary', join(file, 's.json'), '--', process.execPath, '-e', 'process.exit(4)'])
      .ended;
    expect(run.status).toBe(4);
    expect(run.stderr).toBe(`wattprint run: --summary: cannot write ${join(file, 's.json')} (EEXIST)\n`);
  });
});

describe('wattprint run against something that is not a Wattprint collector', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // Answers as a misconfigured proxy might: a success status with a page, or JSON of another shape.
    server = createServer((req, res) => {
      if (req.method === 'POST') {
        res.writeHead(201, { 'content-type': 'text/html' }).end('<html>created</html>');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ energy: { energyKWh: 'lots' } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('refuses to launch on a forecast answer it cannot read, saying what came back', async () => {
    const d = scratchDir();
    const run = await wattprint([
      'run',
      '--url',
      url,
      '--token',
      't',
      '--forecast',
      'examples/mnist-dedicated.yaml',
      '--',
      process.execPath,
      child,
      d,
    ]).ended;
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `the collector at ${url} answered 201 to the forecast with an unexpected body ((body): Invalid input: expected object, received undefined); expected a Wattprint collector's answer\n`,
    );
    expect(existsSync(join(d, 'pid'))).toBe(false);
    rmSync(d, { recursive: true, force: true });
  });

  it("reports a job answer it cannot read in one line, and keeps the command's status", async () => {
    const run = await wattprint(['run', '--url', url, '--token', 't', '--job-id', 'j-odd', '--', process.execPath, '-e', 'process.exit(6)'])
      .ended;
    expect(run.status).toBe(6);
    expect(run.stderr).toContain(
      `wattprint: could not read the job from the collector: the collector at ${url} answered 200 to the job with an unexpected body (energy.energyKWh: `,
    );
  });
});
