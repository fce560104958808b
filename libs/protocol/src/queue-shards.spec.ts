import { MAX_QUEUE_SHARDS, QUEUE_PREFIX, agentShard, shardPrefix, shardPrefixes } from './index';

/** Redis Cluster's key slot of a key (CRC16/XMODEM of its hash tag, mod 16384), to check the shards really part. */
function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  const tagged = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(tagged, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

describe('queue shard prefixes', () => {
  it('keeps the prefix itself for shard 0, so K = 1 is exactly the unsharded key names', () => {
    expect(shardPrefix(QUEUE_PREFIX, 0)).toBe('{wattprint}');
    expect(shardPrefixes(QUEUE_PREFIX, 1)).toEqual(['{wattprint}']);
  });

  it('gives every other shard its own hash tag, whatever K is', () => {
    expect(shardPrefixes(QUEUE_PREFIX, 4)).toEqual(['{wattprint}', '{wattprint-1}', '{wattprint-2}', '{wattprint-3}']);
    // a name never depends on K: shard 2 of 3 is shard 2 of 8
    expect(shardPrefixes(QUEUE_PREFIX, 3)).toEqual(shardPrefixes(QUEUE_PREFIX, 8).slice(0, 3));
    expect(shardPrefix('app{q}x', 5)).toBe('app{q-5}x');
    // an empty tag is no tag for Redis: the suffix goes at the end
    expect(shardPrefix('a{}b', 1)).toBe('a{}b-1');
    expect(shardPrefix('plain', 3)).toBe('plain-3');
    for (const p of shardPrefixes(QUEUE_PREFIX, MAX_QUEUE_SHARDS)) expect(p).not.toContain(':');
  });

  it('spreads the shards over the Redis Cluster slots (all 64 land in distinct slots)', () => {
    const slots = new Set(shardPrefixes(QUEUE_PREFIX, 64).map((p) => keySlot(`${p}:samples:wait`)));
    expect(slots.size).toBe(64);
    // every key of one shard shares the slot, as BullMQ's scripts need
    const p = shardPrefix(QUEUE_PREFIX, 7);
    expect(new Set([`${p}:samples:wait`, `${p}:samples:active`, `${p}:samples:123`].map(keySlot)).size).toBe(1);
  });

  it('refuses shard numbers out of range', () => {
    expect(() => shardPrefix(QUEUE_PREFIX, -1)).toThrow('expected an integer from 0 to 1023');
    expect(() => shardPrefix(QUEUE_PREFIX, 1024)).toThrow(RangeError);
    expect(() => shardPrefix(QUEUE_PREFIX, 1.5)).toThrow(RangeError);
  });
});

describe('agent shard choice', () => {
  const ids = Array.from({ length: 4000 }, (_, i) => `agent-node${String(i).padStart(5, '0')}`);

  it('is stable: the same id and K give the same shard, pinned to known values', () => {
    for (const id of ids.slice(0, 50)) expect(agentShard(id, 16)).toBe(agentShard(id, 16));
    // pinned, so a change of hash (which would move every agent at upgrade) fails here
    expect(['gpu-a01', 'gpu-a02', 'gpu-b17', 'agent-x'].map((id) => agentShard(id, 8))).toEqual(PINNED_8);
  });

  it('puts every agent on shard 0 when K = 1 and stays within 0..K-1', () => {
    for (const id of ids.slice(0, 100)) expect(agentShard(id, 1)).toBe(0);
    for (const k of [2, 3, 7, 64, MAX_QUEUE_SHARDS])
      for (const id of ids.slice(0, 200)) {
        const s = agentShard(id, k);
        expect(Number.isInteger(s) && s >= 0 && s < k).toBe(true);
      }
  });

  it('spreads agents evenly: with K = 8 every shard gets 4000/8 ± 15 %', () => {
    const counts = new Array<number>(8).fill(0);
    for (const id of ids) counts[agentShard(id, 8)]++;
    for (const c of counts) expect(Math.abs(c - 500)).toBeLessThan(75);
  });

  it('moves only about 1/(K+1) of the agents when K grows by one, and only to the new shard', () => {
    let moved = 0;
    for (const id of ids) {
      const before = agentShard(id, 8);
      const after = agentShard(id, 9);
      if (before !== after) {
        moved++;
        expect(after).toBe(8);
      }
    }
    expect(moved / ids.length).toBeGreaterThan(0.07);
    expect(moved / ids.length).toBeLessThan(0.16);
  });

  it('refuses K out of 1..1024 and takes odd ids (NUL, long, non-ASCII) alike', () => {
    expect(() => agentShard('a', 0)).toThrow('expected an integer from 1 to 1024');
    expect(() => agentShard('a', 1025)).toThrow(RangeError);
    for (const id of ['a\u0000b', 'é'.repeat(10_000), '']) expect(agentShard(id, 5)).toBeLessThan(5);
  });
});

const PINNED_8 = [1, 0, 2, 3];
