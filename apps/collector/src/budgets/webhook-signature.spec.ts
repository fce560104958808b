import { retryDelayMs, signBody, verifySignature } from './webhook-signature';

describe('webhook signatures', () => {
  it('verifies a body signed with the same secret, and nothing else', () => {
    const sig = signBody('s3cret-s3cret-s3cret', '{"a":1}');
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', sig)).toBe(true);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":2}', sig)).toBe(false);
    expect(verifySignature('another-secret-here', '{"a":1}', sig)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', undefined)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', '{"a":1}', 'sha256=00')).toBe(false);
  });

  it('backs off by doubling up to the maximum', () => {
    expect([1, 2, 3, 4].map((a) => retryDelayMs(a, 100, 500))).toEqual([100, 200, 400, 500]);
    expect(retryDelayMs(1000, 100, 500)).toBe(500);
  });
});
