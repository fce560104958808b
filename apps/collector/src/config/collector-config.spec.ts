import { parseCollectorConfig } from './collector-config';

const BASE = { WATTPRINT_BOOTSTRAP_TOKEN: 'b'.repeat(32) };

describe('retention days', () => {
  it('keeps minute buckets 35 days by default and hourly rows forever', () => {
    const config = parseCollectorConfig(BASE);
    expect([config.minuteRetentionDays, config.hourlyRetentionDays]).toEqual([35, undefined]);
  });

  it('reads `forever` as no retention, not as the default', () => {
    const config = parseCollectorConfig({
      ...BASE,
      WATTPRINT_MINUTE_RETENTION_DAYS: 'forever',
      WATTPRINT_HOURLY_RETENTION_DAYS: 'forever',
    });
    expect([config.minuteRetentionDays, config.hourlyRetentionDays]).toEqual([undefined, undefined]);
  });

  it('takes a whole number of days', () => {
    const config = parseCollectorConfig({ ...BASE, WATTPRINT_MINUTE_RETENTION_DAYS: '3', WATTPRINT_HOURLY_RETENTION_DAYS: '3650' });
    expect([config.minuteRetentionDays, config.hourlyRetentionDays]).toEqual([3, 3650]);
  });

  it.each(['0', '1.5', 'never', '-3', '36501'])('refuses %j, naming the variable, the value and what it takes', (raw) => {
    expect(() => parseCollectorConfig({ ...BASE, WATTPRINT_MINUTE_RETENTION_DAYS: raw })).toThrow(
      new RegExp(
        `WATTPRINT_MINUTE_RETENTION_DAYS[\\s\\S]*${raw.replace('.', '\\.')}[\\s\\S]*whole number of days from 1 to 36500, or forever`,
      ),
    );
  });
});

describe('budget webhook', () => {
  it('is off by default, with a minute between budget evaluations', () => {
    const c = parseCollectorConfig({ ...BASE });
    expect(c.webhook).toBeUndefined();
    expect(c.budgetEveryMs).toBe(60_000);
  });

  it('takes a URL and its secret together, and names the one missing', () => {
    const secret = 'a-secret-of-sixteen+';
    expect(
      parseCollectorConfig({ ...BASE, WATTPRINT_WEBHOOK_URL: 'https://hooks.example/x', WATTPRINT_WEBHOOK_SECRET: secret }).webhook,
    ).toEqual({
      url: 'https://hooks.example/x',
      secret,
    });
    expect(() => parseCollectorConfig({ ...BASE, WATTPRINT_WEBHOOK_URL: 'https://hooks.example/x' })).toThrow(
      /WATTPRINT_WEBHOOK_SECRET=\(unset\): expected set together with WATTPRINT_WEBHOOK_URL/,
    );
    expect(() => parseCollectorConfig({ ...BASE, WATTPRINT_WEBHOOK_URL: 'ftp://x', WATTPRINT_WEBHOOK_SECRET: secret })).toThrow(
      /WATTPRINT_WEBHOOK_URL/,
    );
    expect(() => parseCollectorConfig({ ...BASE, WATTPRINT_WEBHOOK_URL: 'https://h/x', WATTPRINT_WEBHOOK_SECRET: 'short' })).toThrow(
      /WATTPRINT_WEBHOOK_SECRET=\(hidden\)/,
    );
  });
});

describe('queue shards and Redis Cluster', () => {
  it('reads one unsharded queue on one Redis by default', () => {
    const config = parseCollectorConfig(BASE);
    expect([config.queueShards, config.redisCluster]).toEqual([1, false]);
  });

  it('takes 1 to 1024 shards and a cluster flag', () => {
    const config = parseCollectorConfig({ ...BASE, WATTPRINT_QUEUE_SHARDS: '1024', WATTPRINT_REDIS_CLUSTER: 'true' });
    expect([config.queueShards, config.redisCluster]).toEqual([1024, true]);
  });

  it.each(['0', '1025', '4.5', 'many', '-1', '99999999999999999999'])(
    'refuses %j shards, naming the variable, the value and the range',
    (raw) => {
      expect(() => parseCollectorConfig({ ...BASE, WATTPRINT_QUEUE_SHARDS: raw })).toThrow(
        new RegExp(`WATTPRINT_QUEUE_SHARDS[\\s\\S]*${raw.replace('.', '\\.')}[\\s\\S]*an integer from 1 to 1024`),
      );
    },
  );

  it('refuses a cluster flag that is not a boolean', () => {
    expect(() => parseCollectorConfig({ ...BASE, WATTPRINT_REDIS_CLUSTER: 'cluster' })).toThrow(
      /WATTPRINT_REDIS_CLUSTER[\s\S]*true or false/,
    );
  });
});

describe('read timeout', () => {
  it('bounds reads at 60 s by default, and takes 0 as no bound', () => {
    expect(parseCollectorConfig(BASE).readTimeoutMs).toBe(60_000);
    expect(parseCollectorConfig({ ...BASE, WATTPRINT_READ_TIMEOUT_MS: '0' }).readTimeoutMs).toBe(0);
    expect(parseCollectorConfig({ ...BASE, WATTPRINT_READ_TIMEOUT_MS: '250' }).readTimeoutMs).toBe(250);
  });

  it.each(['soon', '-1', '1.5', '86400001'])('refuses %j, naming the variable, the value and the range', (raw) => {
    expect(() => parseCollectorConfig({ ...BASE, WATTPRINT_READ_TIMEOUT_MS: raw })).toThrow(
      new RegExp(`WATTPRINT_READ_TIMEOUT_MS[\\s\\S]*${raw.replace('.', '\\.')}[\\s\\S]*an integer from 0 to 86400000`),
    );
  });
});
