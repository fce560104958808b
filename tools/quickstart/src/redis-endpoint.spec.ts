import { redactRedisUrl, redisCandidates, redisInstallHint } from './redis-endpoint';

describe('where the quick start looks for Redis', () => {
  it('takes REDIS_URL alone when it is set', () => {
    expect(redisCandidates({ REDIS_URL: 'redis://r:6379' }, false)).toEqual(['REDIS_URL']);
  });
  it('tries the local Redis, then starts one', () => {
    expect(redisCandidates({}, false)).toEqual(['local', 'start']);
  });
  it('always starts its own with --own-redis', () => {
    expect(redisCandidates({ REDIS_URL: 'redis://r:6379' }, true)).toEqual(['start']);
  });
  it('never prints a password', () => {
    expect(redactRedisUrl('redis://:s3cret@redis:6379/0')).toBe('redis://***@redis:6379/0');
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
  it('says how to install Redis in one line', () => {
    for (const own of [false, true]) {
      const hint = redisInstallHint(own);
      expect(hint).toContain('apt-get install redis-server');
      expect(hint).toContain('brew install redis');
      expect(hint).not.toContain('\n');
    }
  });
});
