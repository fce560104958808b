import { WaitTimeoutError, waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first value that is neither undefined nor false', async () => {
    let n = 0;
    await expect(waitFor('n to reach 3', async () => (++n >= 3 ? n : false), { everyMs: 1 })).resolves.toBe(3);
  });

  it('times out naming what it waited for and the last thing it saw', async () => {
    const wait = waitFor(
      'the moon',
      async () => {
        throw new Error('still night');
      },
      { timeoutMs: 30, everyMs: 5 },
    );
    await expect(wait).rejects.toBeInstanceOf(WaitTimeoutError);
    await expect(
      waitFor(
        'the moon',
        async () => {
          throw new Error('still night');
        },
        { timeoutMs: 30, everyMs: 5 },
      ),
    ).rejects.toThrow(/timed out after 30 ms waiting for the moon \(last seen: still night\)/);
  });
});
