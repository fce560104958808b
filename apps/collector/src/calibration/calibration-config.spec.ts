import { parseCollectorConfig } from '../config/collector-config';

const BASE = { WATTPRINT_BOOTSTRAP_TOKEN: 'b'.repeat(32) };

describe('WATTPRINT_CALIBRATION_EVERY_MS', () => {
  it('refits hourly by default, and never on its own with 0', () => {
    expect(parseCollectorConfig(BASE).calibrationEveryMs).toBe(3_600_000);
    expect(parseCollectorConfig({ ...BASE, WATTPRINT_CALIBRATION_EVERY_MS: '0' }).calibrationEveryMs).toBe(0);
    expect(parseCollectorConfig({ ...BASE, WATTPRINT_CALIBRATION_EVERY_MS: '60000' }).calibrationEveryMs).toBe(60_000);
  });

  it.each(['-1', '1.5', 'hourly', '604800001'])('refuses %j, naming the variable and the value', (raw) => {
    expect(() => parseCollectorConfig({ ...BASE, WATTPRINT_CALIBRATION_EVERY_MS: raw })).toThrow(
      new RegExp(`WATTPRINT_CALIBRATION_EVERY_MS[\\s\\S]*${raw.replace('.', '\\.')}`),
    );
  });
});
