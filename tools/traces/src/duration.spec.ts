import { durationOption } from './duration';
import { TraceOptionError } from './errors';

describe('durationOption', () => {
  it.each([
    ['500ms', 500],
    ['1h30m', 5_400_000],
    [' 2h ', 7_200_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(durationOption('--duration', text)).toBe(ms);
  });

  it.each(['2', '2x', 'h', '', '1h 30m', '-1s', '2hours'])('rejects %j naming the option and the value', (text) => {
    expect(() => durationOption('--duration', text)).toThrow(TraceOptionError);
    expect(() => durationOption('--duration', text)).toThrow(`--duration: got ${JSON.stringify(text)}; expected a duration`);
  });

  it('rejects a zero duration', () => {
    expect(() => durationOption('--interval', '0s')).toThrow('--interval: got "0s"; expected a duration above zero');
  });
});
