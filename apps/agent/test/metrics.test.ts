// The agent's metrics port as Prometheus scrapes it, from a real agent process: fake nvidia-smi and a
// powercap tree with one unreadable counter, a private redis-server that is away and then comes back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { FAKE_SMI, buildAgent, capture, nodePathForDist, tempDir } from './helpers/paths';
import { TestRedis, freePort, freePortBesides } from './helpers/redis-server';

jest.setTimeout(60_000);

const KEY = 'agent-test-key-0123456789abcdef';

/** package-0 reads; its dram zone holds no number, so every poll of it fails. */
function raplTree(): string {
  const root = join(tempDir('powercap'), 'powercap');
  const zone = (dir: string, name: string, energy: string) => {
    mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, dir, 'name'), `${name}\n`);
    writeFileSync(join(root, dir, 'energy_uj'), `${energy}\n`);
    writeFileSync(join(root, dir, 'max_energy_range_uj'), '262143328850\n');
  };
  zone('intel-rapl:0', 'package-0', '123456789');
  zone('intel-rapl:1', 'dram', 'not-a-counter');
  return root;
}

/** One series of Prometheus text, e.g. `wattprint_agent_samples_total{source="rapl"}`; undefined when absent. */
function series(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** A GET without keep-alive, so no socket outlives the test. */
function get(port: number, path: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), text }));
      })
      .on('error', reject);
  });
}

async function scrape(port: number): Promise<string> {
  const res = await get(port, '/metrics');
  expect(res.status).toBe(200);
  expect(res.type).toContain('text/plain');
  return res.text;
}

/** Scrapes until `check` holds, or fails with the last text seen. */
async function until(port: number, what: string, check: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    try {
      text = await scrape(port);
      if (check(text)) return text;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`metrics never showed ${what}; last scrape:\n${text}`);
}

function startAgentProcess(env: Record<string, string>): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, [buildAgent()], {
    env: { PATH: process.env.PATH ?? '', NODE_PATH: nodePathForDist(), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  return { child, stderr: () => stderr };
}

async function stopAgentProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
  child.stderr?.destroy();
}

describe('the agent metrics port', () => {
  let redis: TestRedis;
  let agent: ChildProcess | undefined;

  beforeEach(async () => {
    redis = new TestRedis(await freePort());
  });
  afterEach(async () => {
    if (agent) await stopAgentProcess(agent);
    agent = undefined;
    await redis.stop();
  });

  function agentEnv(metricsPort: number): Record<string, string> {
    return {
      REDIS_URL: redis.url,
      WATTPRINT_AGENT_ID: 'metrics-a',
      WATTPRINT_NODE: 'metrics-a.cluster',
      WATTPRINT_AGENT_KEY: KEY,
      WATTPRINT_INTERVAL_MS: '100',
      WATTPRINT_FLUSH_MS: '300',
      WATTPRINT_SOURCES: 'nvidia-smi,rapl',
      WATTPRINT_SPOOL_DIR: tempDir('spool'),
      WATTPRINT_NVIDIA_SMI: FAKE_SMI,
      WATTPRINT_RAPL_ROOT: raplTree(),
      WATTPRINT_PROC_ROOT: join(tempDir('proc'), 'none'),
      WATTPRINT_AGENT_METRICS_PORT: String(metricsPort),
      FAKE_SMI_CAPTURE: capture('linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt'),
      FAKE_SMI_PHASE: 'load',
    };
  }

  it('counts samples per source and the faults of a failing one, and sends batches to Redis', async () => {
    await redis.start();
    const port = await freePortBesides(redis.port);
    const started = startAgentProcess(agentEnv(port));
    agent = started.child;
    const first = await until(
      port,
      'samples of both sources',
      (t) =>
        (series(t, 'wattprint_agent_samples_total{source="nvidia-smi"}') ?? 0) > 0 &&
        (series(t, 'wattprint_agent_samples_total{source="rapl"}') ?? 0) > 0,
    );
    const later = await until(
      port,
      'more samples and a sent batch',
      (t) =>
        series(t, 'wattprint_agent_samples_total{source="nvidia-smi"}')! >
          series(first, 'wattprint_agent_samples_total{source="nvidia-smi"}')! &&
        series(t, 'wattprint_agent_samples_total{source="rapl"}')! > series(first, 'wattprint_agent_samples_total{source="rapl"}')! &&
        (series(t, 'wattprint_agent_messages_total{queue="samples",result="sent"}') ?? 0) > 0,
    );
    // the dram counter fails at every poll; nvidia-smi never does
    expect(series(later, 'wattprint_agent_source_errors_total{source="rapl"}')).toBeGreaterThan(1);
    expect(series(later, 'wattprint_agent_source_errors_total{source="nvidia-smi"}')).toBe(0);
    expect(series(later, 'wattprint_agent_spool_bytes')).toBe(0);
    expect(series(later, 'wattprint_agent_messages_total{queue="samples",result="spooled"}') ?? 0).toBe(0);
    const lastSend = series(later, 'wattprint_agent_last_send_timestamp_seconds')!;
    expect(Math.abs(lastSend - Date.now() / 1000)).toBeLessThan(30);
    // the default process metrics under their standard names
    expect(later).toMatch(/^process_cpu_seconds_total \d/m);
    expect(later).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(later).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    // only /metrics is served, and on loopback by default
    expect((await get(port, '/')).status).toBe(404);
    expect(started.stderr()).toContain(`"url":"http://127.0.0.1:${port}/metrics"`);
  });

  it('shows batches spooled and the spool bytes while Redis is away, then the replay and the last send', async () => {
    const port = await freePortBesides(redis.port);
    agent = startAgentProcess(agentEnv(port)).child;
    const away = await until(
      port,
      'spooled batches',
      (t) => (series(t, 'wattprint_agent_messages_total{queue="samples",result="spooled"}') ?? 0) >= 3,
    );
    expect(series(away, 'wattprint_agent_spool_bytes')).toBeGreaterThan(0);
    expect(series(away, 'wattprint_agent_spool_records')).toBeGreaterThanOrEqual(3);
    expect(series(away, 'wattprint_agent_messages_total{queue="samples",result="sent"}') ?? 0).toBe(0);
    expect(series(away, 'wattprint_agent_last_send_timestamp_seconds')).toBe(0);

    await redis.start();
    const back = await until(
      port,
      'the spool replayed and emptied',
      (t) =>
        (series(t, 'wattprint_agent_messages_total{queue="samples",result="replayed"}') ?? 0) >= 3 &&
        series(t, 'wattprint_agent_spool_bytes') === 0,
    );
    expect(series(back, 'wattprint_agent_last_send_timestamp_seconds')).toBeGreaterThan(0);
  });

  it('refuses a metrics port already taken, naming the variable, with the configuration exit status', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await redis.start();
      const started = startAgentProcess(agentEnv(port));
      agent = started.child;
      const code = await new Promise<number | null>((resolve) => started.child.once('exit', resolve));
      expect(code).toBe(2);
      expect(started.stderr()).toContain(`WATTPRINT_AGENT_METRICS_PORT=${port}: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      taken.close();
    }
  });
});
