import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadAgentConfig } from './agent-config';

describe('agent configuration', () => {
  it('has defaults for everything but the key', () => {
    const c = loadAgentConfig({});
    expect(c).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      intervalMs: 1000,
      flushMs: 5000,
      sources: null,
      nvidiaSmi: 'nvidia-smi',
      nvmlLib: 'libnvidia-ml.so.1',
      raplRoot: '/sys/class/powercap',
      procRoot: '/proc',
      agentKey: null,
      queuePrefix: '{wattprint}',
      metricsPort: null,
      metricsHost: '127.0.0.1',
    });
  });

  it('serves metrics only when a port is given, on loopback unless told otherwise, and names a bad port', () => {
    expect(loadAgentConfig({ WATTPRINT_AGENT_METRICS_PORT: '9464' })).toMatchObject({ metricsPort: 9464, metricsHost: '127.0.0.1' });
    expect(loadAgentConfig({ WATTPRINT_AGENT_METRICS_PORT: '9464', WATTPRINT_AGENT_METRICS_HOST: '0.0.0.0' }).metricsHost).toBe('0.0.0.0');
    expect(loadAgentConfig({ WATTPRINT_AGENT_METRICS_PORT: '' }).metricsPort).toBeNull();
    for (const bad of ['70000', '-1', 'http', '9464\u0000']) {
      expect(() => loadAgentConfig({ WATTPRINT_AGENT_METRICS_PORT: bad })).toThrow(ConfigError);
      try {
        loadAgentConfig({ WATTPRINT_AGENT_METRICS_PORT: bad });
      } catch (error) {
        expect((error as Error).message).toContain('WATTPRINT_AGENT_METRICS_PORT');
      }
    }
  });

  it('reads the environment', () => {
    const c = loadAgentConfig({
      WATTPRINT_SOURCES: 'nvidia-smi, rapl',
      WATTPRINT_INTERVAL_MS: '250',
      WATTPRINT_FLUSH_MS: '1000',
      WATTPRINT_AGENT_ID: 'gpu-node-7',
      WATTPRINT_AGENT_KEY: 'k'.repeat(32),
      WATTPRINT_QUEUE_PREFIX: '{staging}',
    });
    expect(c).toMatchObject({
      sources: ['nvidia-smi', 'rapl'],
      intervalMs: 250,
      flushMs: 1000,
      agentId: 'gpu-node-7',
      queuePrefix: '{staging}',
    });
  });

  it('fails fast naming every bad variable, its value and what was expected', () => {
    let error: ConfigError | null = null;
    try {
      loadAgentConfig({
        WATTPRINT_INTERVAL_MS: 'soon',
        WATTPRINT_SOURCES: 'nvml,dcgm',
        REDIS_URL: 'localhost',
        WATTPRINT_AGENT_KEY: 'short',
        WATTPRINT_QUEUE_PREFIX: 'wattprint:prod',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    // The collector's format (libs/runtime): VARIABLE=value: expected what, one line each.
    expect(error!.message.split('\n')).toEqual([
      'invalid agent configuration:',
      '  REDIS_URL="localhost": expected a URL starting with redis:// or rediss://',
      '  WATTPRINT_QUEUE_PREFIX="wattprint:prod": expected a prefix without spaces or ":", e.g. {wattprint}',
      '  WATTPRINT_AGENT_KEY=(hidden): expected at least 16 characters',
      '  WATTPRINT_INTERVAL_MS="soon": expected an integer >= 50',
      '  WATTPRINT_SOURCES="nvml,dcgm": expected a comma-separated list of nvml, nvidia-smi, rapl, replay',
    ]);
    expect(error!.message).not.toContain('short'); // secrets are never echoed
    expect(error!.problems).toHaveLength(5);
  });

  it('refuses a flush shorter than the interval', () => {
    expect(() => loadAgentConfig({ WATTPRINT_INTERVAL_MS: '2000', WATTPRINT_FLUSH_MS: '1000' })).toThrow(
      'WATTPRINT_FLUSH_MS="1000": expected at least WATTPRINT_INTERVAL_MS (2000)',
    );
  });

  it('prints a Redis URL without its password', () => {
    expect(() => loadAgentConfig({ REDIS_URL: 'http://:hunter2@redis:6379' })).toThrow(
      'REDIS_URL="http://***@redis:6379": expected a URL starting with redis:// or rediss://',
    );
    expect(() => loadAgentConfig({ REDIS_URL: 'http://:hunter2@redis:6379' })).not.toThrow(/hunter2/);
  });

  it('takes a YAML file, overridden by the environment, and refuses unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wattprint-config-'));
    const file = join(dir, 'agent.yaml');
    writeFileSync(file, 'WATTPRINT_INTERVAL_MS: 500\nWATTPRINT_FLUSH_MS: 2000\nREDIS_URL: redis://user:secret@redis:6379\n');
    const c = loadAgentConfig({ WATTPRINT_CONFIG: file, WATTPRINT_FLUSH_MS: '3000' });
    expect([c.intervalMs, c.flushMs]).toEqual([500, 3000]);
    expect(describeConfig(c).redisUrl).toBe('redis://***@redis:6379');
    writeFileSync(file, 'WATTPRINT_INTERVAL: 500\n');
    expect(() => loadAgentConfig({ WATTPRINT_CONFIG: file })).toThrow(/unknown key WATTPRINT_INTERVAL/);
  });
});

describe('queue shards and Redis Cluster', () => {
  it('sends to the one unsharded queue on one Redis by default', () => {
    expect(loadAgentConfig({})).toMatchObject({ queueShards: 1, redisCluster: false });
  });

  it('reads the shard count and the cluster flag, from the environment or the file', () => {
    expect(loadAgentConfig({ WATTPRINT_QUEUE_SHARDS: '16', WATTPRINT_REDIS_CLUSTER: 'yes' })).toMatchObject({
      queueShards: 16,
      redisCluster: true,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'wattprint-agent-config-')), 'agent.yaml');
    writeFileSync(file, 'WATTPRINT_QUEUE_SHARDS: 8\nWATTPRINT_REDIS_CLUSTER: true\n');
    expect(loadAgentConfig({ WATTPRINT_CONFIG: file })).toMatchObject({ queueShards: 8, redisCluster: true });
  });

  it.each(['0', '1025', '2.5', 'all'])('refuses %j shards, naming the variable, the value and the range', (raw) => {
    expect(() => loadAgentConfig({ WATTPRINT_QUEUE_SHARDS: raw })).toThrow(ConfigError);
    expect(() => loadAgentConfig({ WATTPRINT_QUEUE_SHARDS: raw })).toThrow(
      new RegExp(`WATTPRINT_QUEUE_SHARDS[\\s\\S]*${raw.replace('.', '\\.')}[\\s\\S]*an integer from 1 to 1024`),
    );
  });
});
