import IORedis, { type Redis } from 'ioredis';

/**
 * A Redis connection for BullMQ. `maxRetriesPerRequest: null` is what BullMQ workers require: a
 * command waits for Redis to come back instead of failing after a few retries.
 */
export function createRedisConnection(url: string): Redis {
  const connection = new IORedis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // Errors surface through the commands that fail; the 'error' event only repeats them while
  // reconnecting, and an unhandled one would crash the process.
  connection.on('error', () => undefined);
  return connection;
}
