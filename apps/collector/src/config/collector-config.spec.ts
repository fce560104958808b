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
