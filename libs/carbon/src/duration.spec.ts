import { formatDuration, parseDuration } from './duration';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './units';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1000],
    ['90s', 90_000],
    ['15m', 15 * MINUTE_MS],
    ['2h', 2 * HOUR_MS],
    ['1d', DAY_MS],
    ['1h30m', 90 * MINUTE_MS],
    ['1.5s', 1500],
    [' 2h ', 2 * HOUR_MS],
    ['0s', 0],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['2', '2x', 'h', '', ' ', '1h 30m', '-1s', '2hours', '1e3s', '1h\u000030m', 'NaNs'])('is null for %j', (text) => {
    expect(parseDuration(text)).toBeNull();
  });

  it('reads back every duration formatDuration writes, irregular ones included', () => {
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2 ** 31; // a fixed LCG: the same values every run
      const ms = (x % 100) * DAY_MS + (x % 997) * 1009;
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1000, '1s'],
    [90 * MINUTE_MS, '1h30m'],
    [DAY_MS + MINUTE_MS + 1500, '1d1m1s500ms'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
