import { createHmac } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { sign } from './signing';

/** The first implementation, kept as the reference the faster one must match byte for byte. */
function referenceCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`cannot sign a value of type ${typeof value}`);
    return text;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : referenceCanonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${referenceCanonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** A small seeded generator, so a failure names a case that can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

const AWKWARD_STRINGS = [
  '',
  'a"b',
  'back\\slash',
  'tab\there',
  'nl\n',
  '\u0000',
  '\u001f',
  'é',
  '😀',
  '\ud800',
  'gpu0',
  '__proto__x',
  '10',
  '2',
];
const AWKWARD_NUMBERS = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789.125, Number.MAX_SAFE_INTEGER, 5e-324, NaN, Infinity, -Infinity];

function anyValue(next: () => number, depth: number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
  const kind = Math.floor(next() * (depth > 3 ? 5 : 8));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return pick(AWKWARD_STRINGS);
    case 2:
      return pick(AWKWARD_NUMBERS);
    case 3:
      return next() < 0.5;
    case 4:
      return Math.round(next() * 1e6) / 100;
    case 5: {
      const items: unknown[] = [];
      for (let i = Math.floor(next() * 4); i > 0; i--) items.push(next() < 0.1 ? undefined : anyValue(next, depth + 1));
      return items;
    }
    default: {
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(next() * 6); i > 0; i--)
        object[pick([...AWKWARD_STRINGS, 'seq', 't0', 'b', 'a'])] = next() < 0.1 ? undefined : anyValue(next, depth + 1);
      return object;
    }
  }
}

function sampleBatch(keyOrder: 'wire' | 'reversed') {
  const samples = Array.from({ length: 40 }, (_, i) => {
    const s = {
      seq: 7 + i,
      t0: 1_764_000_000_000 + i * 1000,
      t1: 1_764_000_001_000 + i * 1000,
      device: `gpu${i % 8}`,
      kind: 'gpu',
      jobId: i % 8 < 6 ? 'job-1' : null,
      energyJ: 250.5 + i / 3,
      powerW: 250.5,
      utilization: 97,
      source: 'nvml',
    };
    return keyOrder === 'wire' ? s : Object.fromEntries(Object.entries(s).reverse());
  });
  return { version: 1, agentId: 'a-1', bootId: 'boot-1', firstSeq: 7, node: 'n-1', sentAt: 1_764_000_040_000, samples };
}

describe('canonicalJson matches the reference encoding byte for byte', () => {
  it('on a realistic batch, whatever order its keys were written in', () => {
    for (const order of ['wire', 'reversed'] as const) {
      const batch = JSON.parse(JSON.stringify(sampleBatch(order)));
      expect(canonicalJson(batch)).toBe(referenceCanonicalJson(batch));
    }
  });

  it('on objects of one shape interleaved with others (the shape cache never mixes them up)', () => {
    const a = { b: 1, a: 2 };
    const b = { a: 3, b: 4 };
    const c = { b: 5, a: 6, c: undefined };
    const d = {
      z: 1,
      y: { b: 1, a: 2 },
      x: [{ a: 1, b: 2 }, { b: 1, a: 2 }, { c: 1 }, { b: 1, a: 2, d: 3 }, { q: 1 }, { r: 1 }, { b: 0, a: 0 }],
    };
    for (const value of [a, b, c, d, [a, b, c, d], a]) expect(canonicalJson(value)).toBe(referenceCanonicalJson(value));
  });

  it('on 5,000 random documents with awkward strings, numbers, undefined members and nesting', () => {
    const next = random(20_261_128);
    for (let i = 0; i < 5000; i++) {
      const value = anyValue(next, 0);
      expect([i, canonicalJson(value)]).toEqual([i, referenceCanonicalJson(value)]);
    }
  });

  it('refuses what the reference refuses', () => {
    for (const bad of [undefined, () => 1, Symbol('s'), { f: () => 1 }, [Symbol('s')], { n: 1n }]) {
      expect(() => referenceCanonicalJson(bad)).toThrow(TypeError);
      expect(() => canonicalJson(bad)).toThrow(TypeError);
    }
  });

  it('keeps the HMAC of a batch the agent signed before this change', () => {
    // computed with the reference encoding: the agents in the field sign this way
    const batch = sampleBatch('reversed');
    const expected = createHmac('sha256', 'k').update(referenceCanonicalJson(batch)).digest('hex');
    expect(sign(batch, 'k')).toBe(expected);
  });
});
