import { decodeCursor, encodeCursor, InvalidCursorError } from './job-cursor';

describe('job cursor', () => {
  it('round-trips a position, ids with any characters included', () => {
    const position = { firstSeenAt: 1_764_000_000_000, id: 'slurm/42 "x"' };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
    expect(encodeCursor(position)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('rejects anything it did not make', () => {
    for (const bad of [
      'not-a-cursor',
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('["x","y"]').toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidCursorError);
    }
  });
});
