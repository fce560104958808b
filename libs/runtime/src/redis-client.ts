import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/** A client of one Redis or of a Redis Cluster: BullMQ takes either, and both speak the same commands. */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** `REDIS_URL`: the Redis, or with `cluster` any one node of the cluster (the client learns the others from it). */
  url: string;
  /** `WATTPRINT_REDIS_CLUSTER`: connect with ioredis' Cluster client, which follows slots, redirections and failovers. */
  cluster: boolean;
  /** Per-connection options (for a cluster: every node's connection). */
  redis?: RedisOptions;
  /** Options of the cluster client, cluster mode only. */
  clusterOptions?: Omit<ClusterOptions, 'redisOptions'>;
}

/**
 * Opens a Redis client from the URL, or a Redis Cluster client seeded with the URL's node: the
 * credentials, database-less and TLS (`rediss:`) settings of the URL apply to every node of the
 * cluster. ioredis is required here, not imported, so that what only reads the config loads none of it.
 */
export function createRedisClient(options: RedisClientOptions): RedisClient {
  const ioredis = require('ioredis') as typeof import('ioredis');
  if (!options.cluster) return new ioredis.Redis(options.url, options.redis ?? {});
  const url = new URL(options.url);
  const node = { host: url.hostname, port: url.port === '' ? 6379 : Number(url.port) };
  return new ioredis.Cluster([node], {
    ...options.clusterOptions,
    redisOptions: {
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      ...options.redis,
    },
  });
}

/** True when the client can take commands now (a cluster: it knows the slots and reaches the nodes). */
export function redisReady(client: RedisClient): boolean {
  return client.status === 'ready';
}
