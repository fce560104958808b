import { Inject, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { RedisClient } from '../queue/redis-client';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { createRedisConnection } from '../queue/redis-connection';

interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * A fixed window per tracker: the first hit starts it; past `limit` hits the tracker is refused until
 * the window closes, or for `blockDuration` when one is set. One script, so concurrent replicas
 * count every hit once.
 */
const HIT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blocked = redis.call('PTTL', KEYS[2])
if blocked <= 0 and hits > tonumber(ARGV[2]) and tonumber(ARGV[3]) > 0 then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  blocked = tonumber(ARGV[3])
end
return {hits, ttl, blocked}`;

/** How long a count may take before the request goes through uncounted. */
const REDIS_TIMEOUT_MS = 500;

/**
 * The rate limit's counts in Redis, so every replica of the collector shares one limit per client:
 * a client cannot multiply its allowance by the number of replicas behind the load balancer.
 *
 * When Redis does not answer, the request is let through (and logged once per outage): the limit
 * protects the API, it must not take it down with Redis.
 */
@Injectable()
export class RedisRateLimitStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly logger = new Logger('RateLimit');
  private readonly redis: RedisClient;
  private failing = false;

  constructor(@Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig) {
    // its own connection: BullMQ's waits for Redis forever, a request must not
    this.redis = createRedisConnection(config.redisUrl, config.redisCluster, { maxRetriesPerRequest: 1, commandTimeout: REDIS_TIMEOUT_MS });
  }

  async increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): Promise<ThrottlerStorageRecord> {
    // one hash tag per tracker: both keys in one Redis Cluster slot, trackers spread over slots
    const base = `${this.config.queuePrefix}:ratelimit:${throttlerName}:{${key}}`;
    try {
      const [hits, ttlMs, blockedMs] = (await this.redis.eval(
        HIT,
        2,
        `${base}:hits`,
        `${base}:blocked`,
        ttl,
        limit,
        blockDuration,
      )) as number[];
      if (this.failing) this.logger.log('Redis answers again: rate limits counted again');
      this.failing = false;
      // past the limit, a client waits for its block to lapse (blockDuration) or, without one, for its window to close
      const isBlocked = hits > limit || blockedMs > 0;
      return {
        totalHits: hits,
        timeToExpire: Math.ceil(ttlMs / 1000),
        isBlocked,
        timeToBlockExpire: !isBlocked ? 0 : Math.ceil((blockedMs > 0 ? blockedMs : ttlMs) / 1000),
      };
    } catch (error) {
      if (!this.failing) this.logger.warn(`Redis does not answer, requests go through uncounted: ${(error as Error).message}`);
      this.failing = true;
      return { totalHits: 0, timeToExpire: Math.ceil(ttl / 1000), isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** The storage as a provider of its own module, for ThrottlerModule.forRootAsync to inject (and Nest to shut down). */
@Module({ providers: [RedisRateLimitStorage], exports: [RedisRateLimitStorage] })
export class RateLimitStorageModule {}
