import { createHash } from 'node:crypto';

/**
 * Queue shards. With K shards the samples queue exists K times, each under its own prefix, and each
 * prefix carries its own Redis Cluster hash tag, so a Redis Cluster spreads the shards over its
 * masters instead of putting every queue in one slot (BullMQ needs all keys of one queue in one slot,
 * not all queues).
 *
 * Shard 0 is the configured prefix itself, unchanged (`{wattprint}`); shard i ≥ 1 adds `-i` inside
 * the prefix's hash tag (`{wattprint-1}`, `{wattprint-2}`, …). So a name never depends on K: K = 1 is
 * exactly the keys of an unsharded install, and growing or shrinking K only adds or retires shards
 * at the top, which is what makes the upgrade a matter of consuming shards 0..max(K_old, K_new) - 1
 * for a while (docs/deploy.md, "Queue shards"). The suffix is `-i`, not `:i`, because BullMQ joins
 * key parts with ":" (QUEUE_PREFIX_RULE).
 */

/** The most shards WATTPRINT_QUEUE_SHARDS may name: each costs a blocking Redis connection per collector. */
export const MAX_QUEUE_SHARDS = 1024;

/** The prefix of shard `shard` of the queues under `prefix`. */
export function shardPrefix(prefix: string, shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= MAX_QUEUE_SHARDS)
    throw new RangeError(`queue shard ${shard}: expected an integer from 0 to ${MAX_QUEUE_SHARDS - 1}`);
  if (shard === 0) return prefix;
  // Redis's own hash-tag rule: the first "{" and the first "}" after it, when something lies between
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  if (close > open + 1) return `${prefix.slice(0, close)}-${shard}${prefix.slice(close)}`;
  // no hash tag: fine on one Redis, where slots do not matter
  return `${prefix}-${shard}`;
}

/** The prefixes of shards 0..shards-1. */
export function shardPrefixes(prefix: string, shards: number): string[] {
  return Array.from({ length: shards }, (_, i) => shardPrefix(prefix, i));
}

const MASK64 = (1n << 64n) - 1n;

/**
 * The shard of an agent: a jump consistent hash (Lamping & Veach, 2014) of its id's SHA-256. Stable
 * across processes, machines and releases (it depends on the id and K alone), spread evenly, and when
 * K grows to K + 1 only about 1/(K + 1) of the agents move, so a resize disturbs as few as it can.
 */
export function agentShard(agentId: string, shards: number): number {
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_QUEUE_SHARDS)
    throw new RangeError(`queue shards ${shards}: expected an integer from 1 to ${MAX_QUEUE_SHARDS}`);
  let key = createHash('sha256').update(agentId, 'utf8').digest().readBigUInt64BE(0);
  let b = -1;
  let j = 0;
  while (j < shards) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & MASK64;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(key >> 33n) + 1)));
  }
  return b;
}
