import { type RedisClient, createRedisClient } from './redis-client';
import type { RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ, to one Redis or (`cluster`) a Redis Cluster. `maxRetriesPerRequest:
 * null` is what BullMQ workers require: a command waits for Redis to come back instead of failing
 * after a few retries.
 */
export function createRedisConnection(url: string, cluster = false, options: RedisOptions = { maxRetriesPerRequest: null }): RedisClient {
  const connection = createRedisClient({ url, cluster, redis: { lazyConnect: false, ...options } });
  // Errors surface through the commands that fail; the 'error' event only repeats them while
  // reconnecting, and an unhandled one would crash the process.
  connection.on('error', () => undefined);
  return connection;
}
