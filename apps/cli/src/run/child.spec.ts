import { exitStatusOf } from './child';

describe('exitStatusOf', () => {
  const failure = (code: string) => ({ error: Object.assign(new Error(code), { code }) });

  it("is the command's code, 128 + the signal's number, or 127/126 as sh gives", () => {
    expect(exitStatusOf({ code: 0, signal: null })).toBe(0);
    expect(exitStatusOf({ code: 42, signal: null })).toBe(42);
    expect(exitStatusOf({ code: null, signal: 'SIGTERM' })).toBe(143);
    expect(exitStatusOf({ code: null, signal: 'SIGKILL' })).toBe(137);
    expect(exitStatusOf(failure('ENOENT'))).toBe(127);
    expect(exitStatusOf(failure('EACCES'))).toBe(126);
  });
});
