// The quick start as a user runs it: the built start.js, a private redis-server, the real collector
// (SQLite in a temporary folder) and real agents replaying generated traces; then Ctrl-C.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueueName } from '@wattprint/protocol';
import { freePort, waitFor } from '@wattprint/sim';
import { Worker } from 'bullmq';
import IORedis from 'ioredis';
import { HOUR_MS, hourStartOf, kWhOf } from '@wattprint/carbon';

jest.setTimeout(180_000);

const root = resolve(__dirname, '../../..');
const startJs = join(root, 'tools/quickstart/start.js');
const BUILT = ['apps/collector/dist/main.js', 'apps/agent/dist/main.js', 'tools/traces/dist/cli.js'];

/** Start time of a process (field 22 of /proc/<pid>/stat), to tell it from a later process with the same pid. */
function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return null;
  }
}

/** Every living descendant of `pid`, with its start time and command line. */
function descendants(pid: number): Array<{ pid: number; start: string; cmd: string }> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: Array<{ pid: number; start: string; cmd: string }> = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      const start = startTicks(c);
      let cmd = '';
      try {
        cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      } catch {
        // gone meanwhile
      }
      if (start) found.push({ pid: c, start, cmd });
      walk(c);
    }
  };
  walk(pid);
  return found;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

beforeAll(() => {
  const missing = BUILT.filter((p) => !existsSync(join(root, p)));
  if (missing.length > 0)
    throw new Error(`the quick start test runs the built programs: ${missing.join(', ')} missing; run \`npm run build\` first`);
  // The quick start itself is built here (incremental: about a second when up to date), so the test never runs a stale build.
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const built = spawnSync(process.execPath, [tsc, '-b', join(root, 'tools/quickstart/tsconfig.lib.json')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building tools/quickstart failed:\n${built.stdout}${built.stderr}`);
});

describe('npm start (tools/quickstart/start.js)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'wattprint-quickstart-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('replays the cluster into the API with energy and CO2eq for both sites, prints job rows, and stops cleanly on SIGINT', async () => {
    const port = await freePort();
    // Started from another folder: the quick start finds the built apps from its own location.
    const child = spawn(
      process.execPath,
      [startJs, '--speed', '600', '--port', String(port), '--duration', '1h', '--data-dir', dataDir, '--own-redis', '--refresh', '1'],
      {
        cwd: tmpdir(),
        env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' }, // ignored with --own-redis
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = exitOf(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const token = await waitFor(
        'the banner with the admin token',
        async () => /export WATTPRINT_URL=\S+ WATTPRINT_TOKEN=(\S+)/.exec(stdout)?.[1],
        {
          timeoutMs: 90_000,
          everyMs: 250,
        },
      );
      expect(stdout).toContain(`API      http://127.0.0.1:${port}/api/v1`);
      expect(stdout).toContain(`docs http://127.0.0.1:${port}/docs`);
      const redisPid = Number(/started redis-server pid (\d+)/.exec(stdout)?.[1]);
      const redisUrl = /^redis: (redis:\/\/\S+) /m.exec(stdout)![1];
      expect(redisPid).toBeGreaterThan(0);
      const api = async (path: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(res.status).toBe(200);
        return (await res.json()) as any;
      };
      const scenario = JSON.parse(readFileSync(join(dataDir, 'cluster/scenario.json'), 'utf8'));
      const truth = JSON.parse(readFileSync(join(dataDir, 'cluster/truth.json'), 'utf8'));
      const from = new Date(hourStartOf(scenario.startMs)).toISOString();
      const to = new Date(scenario.endMs + HOUR_MS).toISOString();

      // The whole trace has arrived once the sites hold the cluster's energy; both have CO2eq.
      const bySite = await waitFor(
        'both sites to hold the whole trace',
        async () => {
          const usage = await api(`/usage?groupBy=site&bucket=day&from=${from}&to=${to}`);
          const kwh = usage.rows.reduce((s: number, r: { energyKWh: number }) => s + r.energyKWh, 0);
          return Math.abs(kwh - kWhOf(truth.clusterJ)) <= 1e-9 * kWhOf(truth.clusterJ) && usage.rows;
        },
        { timeoutMs: 90_000, everyMs: 250 },
      );
      const processes = descendants(child.pid!);
      expect(processes.map((p) => p.pid)).toContain(redisPid);
      expect(processes.filter((p) => p.cmd.includes('wattprint-agent.js'))).toHaveLength(4);
      expect(processes.filter((p) => p.cmd.includes('apps/collector/dist/main.js'))).toHaveLength(1);

      // One row per site and UTC day: a replay that crosses midnight gives each site two rows.
      type SiteFigures = { energyKWh: number; co2eqKg: number; facilityEnergyKWh: number };
      const sites = new Map<string, SiteFigures>();
      for (const r of bySite as Array<SiteFigures & { key: string }>) {
        const sum = sites.get(r.key) ?? { energyKWh: 0, co2eqKg: 0, facilityEnergyKWh: 0 };
        sites.set(r.key, {
          energyKWh: sum.energyKWh + r.energyKWh,
          co2eqKg: sum.co2eqKg + r.co2eqKg,
          facilityEnergyKWh: sum.facilityEnergyKWh + r.facilityEnergyKWh,
        });
      }
      expect([...sites.keys()].sort()).toEqual(['frankfurt', 'paris']);
      for (const site of scenario.sites) {
        const nodes = scenario.nodes.filter((n: { site: string }) => n.site === site.id).map((n: { id: string }) => n.id);
        const expectedKWh = kWhOf(nodes.reduce((s: number, n: string) => s + truth.nodes[n].totalJ, 0));
        const row = sites.get(site.id)!;
        expect(row.energyKWh).toBeCloseTo(expectedKWh, 9);
        expect(row.facilityEnergyKWh).toBeCloseTo(expectedKWh * site.pue, 9);
        expect(row.co2eqKg).toBeGreaterThan(0);
      }
      // Frankfurt's grid (DE) is several times dirtier than Paris's (FR): per kWh its CO2eq is higher.
      expect(sites.get('frankfurt')!.co2eqKg / sites.get('frankfurt')!.energyKWh).toBeGreaterThan(
        sites.get('paris')!.co2eqKg / sites.get('paris')!.energyKWh,
      );

      // Every job carries its metadata from the published start events, its exact energy and CO2eq
      // (job events travel apart from the energy: wait for the last of them too).
      const { jobs } = await waitFor(
        'every job described by its start event',
        async () => {
          const page = await api('/jobs?limit=500');
          return page.jobs.length === scenario.jobs.length && page.jobs.every((j: { team: string | null }) => j.team !== null) && page;
        },
        { timeoutMs: 30_000, everyMs: 250 },
      );
      expect(jobs).toHaveLength(scenario.jobs.length);
      for (const planned of scenario.jobs) {
        const job = jobs.find((j: { id: string }) => j.id === planned.id);
        expect({ id: job.id, user: job.user, team: job.team, project: job.project, inferred: job.inferred }).toEqual({
          id: planned.id,
          user: planned.metadata.user,
          team: planned.metadata.team,
          project: planned.metadata.project,
          inferred: false,
        });
        expect(job.energyKWh).toBeCloseTo(kWhOf(truth.jobs[planned.id].energyJ), 9);
        if (truth.jobs[planned.id].energyJ > 0) expect(job.co2eqKg).toBeGreaterThan(0);
      }

      // The live table printed job rows as plain lines (stdout is a pipe: no cursor control).
      await waitFor('a table with the final figures', async () => stdout.includes(`${scenario.jobs.length} jobs,`), {
        timeoutMs: 30_000,
        everyMs: 250,
      });
      const rows = stdout
        .split('\n')
        .filter((l) => /^(train|hpo|serve)-\S+ +\S+ +\S+ +(running|ended) +\d+\.\d{3} +\d+\.\d{3} +(-|[\d,]+ W)$/.test(l));
      expect(rows.length).toBeGreaterThan(5);
      expect(stdout).toMatch(/^job +user +team +state +energy kWh +CO2eq kg +power now$/m);
      expect(stdout).toMatch(/^frankfurt +\d+\.\d{3} +\d+\.\d{3} +\d+\.\d{3}$/m);
      expect(stdout).not.toContain('\x1b[');

      // Its queues are its own; another consumer on them (a collector started by hand with the same
      // prefix) is named in the table within a refresh or two.
      const prefix = /^ {2}queues +(\{wattprint-quickstart-[0-9a-f]{8}\}) /m.exec(stdout)?.[1];
      expect(prefix).toBeDefined();
      expect(stdout).not.toContain('warning:');
      const connection = new IORedis(redisUrl, { maxRetriesPerRequest: null });
      const stray = new Worker(QueueName.Samples, async () => undefined, { connection, prefix });
      try {
        await waitFor('the stray consumer warning', async () => stdout.includes(`on queue ${prefix}:samples that`), {
          timeoutMs: 20_000,
          everyMs: 250,
        });
      } finally {
        await stray.close();
        connection.disconnect();
      }

      child.kill('SIGINT');
      const { code, signal } = await exited;
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(stdout).toContain('stopping (SIGINT received)');
      expect(stdout).toContain('agents stopped (4, each after its last flush)');
      expect(stdout).toContain('collector closed');
      expect(stdout).toContain('redis-server stopped');
      expect(stdout).toContain('stopped cleanly');
      // No orphan: every process the quick start had started (agents, collector, its redis-server) is gone.
      const alive = processes.filter((p) => startTicks(p.pid) === p.start);
      expect(alive).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        for (const p of descendants(child.pid!)) process.kill(p.pid, 'SIGKILL');
        child.kill('SIGKILL');
      }
    }
  });

  it('exits 1 with one line saying how to install Redis when there is none', async () => {
    // PATH without redis-server (node is run by its absolute path); --own-redis so the shared local Redis is not taken instead.
    const child = spawn(process.execPath, [startJs, '--own-redis', '--data-dir', dataDir, '--port', String(await freePort())], {
      env: { ...process.env, PATH: join(dataDir, 'empty-bin') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const { code } = await exitOf(child);
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([
      'error: no Redis: --own-redis needs redis-server, which is not on PATH; install it (apt-get install redis-server, or brew install redis)',
    ]);
    expect(stdout).toBe('');
  });

  it('reports bad options all at once and starts nothing', async () => {
    const child = spawn(process.execPath, [startJs, '--speed', '0', '--duration', '2 hours', '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const { code } = await exitOf(child);
    expect(code).toBe(2);
    expect(stderr).toBe(
      'error: --speed: got "0"; expected a number from 0.1 to 3600\n' +
        'error: --duration: got "2 hours"; expected a duration from 1m to 24h such as 30m, 2h or 1h30m\n',
    );
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
