import { bearerSecret } from './auth.guard';

describe('bearerSecret', () => {
  it('reads the secret of a Bearer header, any case of the scheme', () => {
    expect(bearerSecret('Bearer wp_abc')).toBe('wp_abc');
    expect(bearerSecret('bearer   wp_abc  ')).toBe('wp_abc');
  });

  it('ignores other schemes, empty and repeated headers', () => {
    expect(bearerSecret('Basic dXNlcjpwdw==')).toBeUndefined();
    expect(bearerSecret('Bearer')).toBeUndefined();
    expect(bearerSecret('Bearer a b')).toBeUndefined();
    expect(bearerSecret(undefined)).toBeUndefined();
    expect(bearerSecret(['Bearer a', 'Bearer b'])).toBeUndefined();
  });
});
