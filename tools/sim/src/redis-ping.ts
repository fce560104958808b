import IORedis from 'ioredis';

/**
 * True when a Redis at `url` answers PING within `timeoutMs`; false when it refuses, times out or
 * answers anything else. One throwaway connection that never retries, so a dead Redis costs one attempt.
 */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new IORedis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    // ioredis arms a timer of this length at disconnect and clears it only when the socket closes later:
    // after a refused connection (closed already) it would hold the process open for 2 s by default.
    disconnectTimeout: 0,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}
