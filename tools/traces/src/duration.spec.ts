import { formatDuration, parseDuration } from './duration';
import { TraceOptionError } from './errors';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['1s', 1000],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    [' 2h ', 7_200_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration('--duration', text)).toBe(ms);
  });

  it.each(['2', '2x', 'h', '', '1h 30m', '-1s', '2hours'])('rejects %j naming the option and the value', (text) => {
    expect(() => parseDuration('--duration', text)).toThrow(TraceOptionError);
    expect(() => parseDuration('--duration', text)).toThrow(`--duration: got ${JSON.stringify(text)}; expected a duration`);
  });

  it('rejects a zero duration', () => {
    expect(() => parseDuration('--interval', '0s')).toThrow('--interval: got "0s"; expected a duration above zero');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1000, '1s'],
    [5_400_000, '1h30m'],
    [86_461_500, '1d1m1s500ms'],
  ])('writes %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 61_000, 3_723_004, 90_000_000]) expect(parseDuration('x', formatDuration(ms))).toBe(ms);
  });
});
