import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

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
 * (The collector has the same few lines: libs may not hold network clients, see eslint.config.mjs.)
 *
 * Opens a Redis client from the URL, or a Redis Cluster client seeded with the URL's node: the
 * URL's credentials and TLS (`rediss:`) apply to every node of the cluster; a database number does
 * not (a cluster has only database 0).
 */
export function createRedisClient(options: RedisClientOptions): RedisClient {
  if (!options.cluster) return new Redis(options.url, options.redis ?? {});
  const url = new URL(options.url);
  const node = { host: url.hostname, port: url.port === '' ? 6379 : Number(url.port) };
  return new Cluster([node], {
    ...options.clusterOptions,
    redisOptions: {
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      ...options.redis,
    },
  });
}
