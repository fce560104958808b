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
    });
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
    const text = error!.problems.join('\n');
    expect(text).toMatch(/^REDIS_URL: expected redis:\/\/… or rediss:\/\/…; value not shown$/m);
    expect(text).toMatch(/^WATTPRINT_AGENT_KEY: expected at least 16 characters; value not shown$/m);
    expect(text).toMatch(/^WATTPRINT_INTERVAL_MS: expected an integer >= 50; got "soon"$/m);
    expect(text).toMatch(/^WATTPRINT_SOURCES\.1: .*"dcgm"/m);
    expect(text).toMatch(/^WATTPRINT_QUEUE_PREFIX: expected a prefix without spaces or ":", e\.g\. \{wattprint\}; got "wattprint:prod"$/m);
    expect(text).not.toContain('short'); // secrets are never echoed
    expect(error!.problems).toHaveLength(5);
  });

  it('refuses a flush shorter than the interval', () => {
    expect(() => loadAgentConfig({ WATTPRINT_INTERVAL_MS: '2000', WATTPRINT_FLUSH_MS: '1000' })).toThrow(
      'WATTPRINT_FLUSH_MS: expected at least WATTPRINT_INTERVAL_MS (2000); got 1000',
    );
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
