// The newcomer's path: every shell command in README.md and docs/*.md, run as written from the
// repository root against a running quick start, with the WATTPRINT_URL and WATTPRINT_TOKEN its banner
// tells the reader to export. The only change made to a command is the quick start's port in place of
// 8080 (the suite must not take a fixed port on a shared machine). A short list below says which
// commands are not run here and why; every other one must exit 0 and leave no file behind in the clone.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@wattprint/sim';
import { type DocCommand, commandsOf } from './support/doc-commands';

const ROOT = join(__dirname, '..', '..', '..');
const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Commands not run here, each with the reason. Keep it short: anything else a reader types must work. */
const NOT_RUN: Array<[RegExp, string]> = [
  [/^npm ci\b/, 'reinstalls node_modules under the running suite; .ci/run runs `npm ci` before every `npm test`'],
  [
    /^npm start\b/,
    'runs the demo until Ctrl-C; this test starts the same quick start (tools/quickstart/start.js) and runs the rest against it',
  ],
  [/(^|&& )npx (nx test|jest)\b/, 'a test suite: `npm test` runs it'],
  [
    /wattprint\.example\.org|\/opt\/wattprint|\/var\/spool\/wattprint-slurm/,
    'runs on a deployed collector or Slurm node (/opt/wattprint, https://wattprint.example.org), not in a clone',
  ],
  [
    /tools\/bench\/|nx run dashboards:bench|traces\/dist\/bench\.js/,
    'a benchmark: seconds to minutes of load, run by hand for the figures it prints',
  ],
  [
    /^(docker|kubectl|systemctl|install|useradd|cp deploy\/systemd)\b/,
    'changes the host: Docker, a Kubernetes cluster, systemd units under /etc',
  ],
  [
    /npx wattprint-collector\s*(#.*)?$/,
    'serves until stopped (and the README one needs the host `db`): the quick start runs this collector',
  ],
  [/npx wattprint-agent(\s+run)?\s*(#.*)?$/, "a GPU node's daemon: runs until stopped, and needs the host `redis`"],
  [/-- python train\.py/, "launches the reader's own training script (train.py is not in the repository)"],
  [/^export \w+=.*(…|\.\.\.)/, 'a placeholder for the reader to fill in; the test binds the variable itself (see SESSION)'],
];

/** Commands whose documented outcome is a non-zero status here. */
const EXIT_STATUS: Array<[RegExp, number[], string]> = [
  [/npx wattprint-agent probe/, [0, 1], 'exit 1 when no GPU or RAPL domain is found, as on a machine without GPUs'],
];

interface Run {
  command: DocCommand;
  status: number | null;
  stdout: string;
  stderr: string;
}

const commands = DOCS.flatMap((file) => commandsOf(file, readFileSync(join(ROOT, file), 'utf8')));
const reasonOf = (c: DocCommand) => NOT_RUN.find(([pattern]) => pattern.test(c.text))?.[1];
const runnable = commands.filter((c) => reasonOf(c) === undefined);

/** Untracked or changed files, as git sees them: no command may leave anything behind in the clone. */
function gitStatus(): Set<string> {
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: ROOT, encoding: 'utf8' });
  if (status.status !== 0) throw new Error(`git status failed: ${status.stderr}`);
  return new Set(status.stdout.split('\n').filter(Boolean));
}

describe('every command in README.md and docs/', () => {
  let quickstart: ChildProcess;
  let dataDir: string;
  let baseUrl: string;
  /** What the reader has after the quick start: its two variables, and the tokens the docs call $ADMIN, $VIEWER, $BOOT. */
  const SESSION: Record<string, string> = {};
  let before: Set<string>;
  const runs = new Map<DocCommand, Run>();
  /** `export` lines already run, per file: a doc's later commands see what its earlier ones exported. */
  const exported = new Map<string, string[]>();

  beforeAll(async () => {
    before = gitStatus();
    dataDir = mkdtempSync(join(tmpdir(), 'wattprint-docs-'));
    const port = await freePort();
    quickstart = spawn(
      process.execPath,
      [join(ROOT, 'tools/quickstart/start.js'), '--port', String(port), '--data-dir', dataDir, '--speed', '600', '--duration', '30m'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    quickstart.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    quickstart.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const banner = await waitFor(
      'the quick start banner',
      async () => /export WATTPRINT_URL=(\S+) WATTPRINT_TOKEN=(\S+)/.exec(out) ?? undefined,
      {
        timeoutMs: 90_000,
        everyMs: 200,
      },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${out}`);
    });
    baseUrl = banner[1];
    SESSION.WATTPRINT_URL = banner[1];
    SESSION.WATTPRINT_TOKEN = banner[2];
    // The docs' $ADMIN and $BOOT/$BOOTSTRAP (an admin token, and the one a first start is given) are the
    // quick start's admin token; $VIEWER a viewer token, as docs/api.md creates one.
    SESSION.ADMIN = SESSION.BOOT = SESSION.BOOTSTRAP = banner[2];
    const viewer = await fetch(`${baseUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${banner[2]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'docs viewer', role: 'viewer' }),
    });
    SESSION.VIEWER = ((await viewer.json()) as { secret: string }).secret;
  }, 120_000);

  afterAll(async () => {
    if (quickstart && quickstart.exitCode === null) {
      const exited = new Promise((r) => quickstart.once('exit', r));
      quickstart.kill('SIGINT');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it.each(runnable.map((c) => [`${c.file}:${c.line}`, c.text.split('\n')[0], c] as const))('%s  %s', async (_where, _first, command) => {
    const port = new URL(baseUrl).port;
    const text = command.text.replace(/\b(localhost|127\.0\.0\.1):8080\b/g, `127.0.0.1:${port}`);
    const prelude = exported.get(command.file) ?? [];
    const script = [...prelude, text].join('\n');
    const result = await new Promise<Run>((resolve) => {
      const child = spawn('bash', ['-o', 'pipefail', '-c', script], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? tmpdir(),
          NX_DAEMON: 'false',
          NX_NO_CLOUD: 'true',
          NX_TUI: 'false',
          ...SESSION,
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ command, status, stdout, stderr }));
    });
    runs.set(command, result);
    if (/^export \w+=/.test(text)) exported.set(command.file, [...prelude, text]);
    const allowed = EXIT_STATUS.find(([pattern]) => pattern.test(text))?.[1] ?? [0];
    if (!allowed.includes(result.status ?? -1)) {
      throw new Error(
        `${command.file}:${command.line} exited ${result.status} (expected ${allowed.join(' or ')}):\n$ ${text}\n${result.stdout.slice(-1500)}${result.stderr.slice(-1500)}`,
      );
    }
  });

  it("imported the README's intensity example into the quick start, every row", () => {
    const run = [...runs.values()].find((r) => r.command.file === 'README.md' && r.command.text.includes('intensity import'));
    expect(run?.stdout).toMatch(/^imported (\d+) of \1 rows from examples\/intensity-import\.csv \(0 rejected\)/);
  });

  it('left nothing behind in the clone (no calib.json, usage.csv … in the repository)', () => {
    const after = [...gitStatus()].filter((line) => !before.has(line));
    expect(after).toEqual([]);
  });

  it('skips only what cannot run here, each for a reason that still applies', () => {
    const skipped = commands.filter((c) => reasonOf(c) !== undefined);
    for (const [pattern] of NOT_RUN) expect(commands.some((c) => pattern.test(c.text))).toBe(true);
    // Most of what a reader types is run: the list above is an exception, not the rule.
    expect(skipped.length).toBeLessThan(runnable.length);
  });
});
