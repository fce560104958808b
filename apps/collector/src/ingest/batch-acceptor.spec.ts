import { Batch, signed, type UnsignedBatch } from '@wattprint/protocol';
import { isCertainlyBatch } from './batch-acceptor';

const M = 1_764_000_000_000;

function batch(samples = 40): Record<string, any> {
  const unsigned: UnsignedBatch = {
    version: 1,
    agentId: 'bench-7',
    bootId: 'b0e8a3f2-1111-2222-3333-444455556666',
    firstSeq: 120,
    node: 'gpu-node-7',
    sentAt: M + 5000,
    samples: Array.from({ length: samples }, (_, i) => ({
      seq: 120 + i,
      t0: M + Math.floor(i / 8) * 1000,
      t1: M + Math.floor(i / 8) * 1000 + 1000,
      device: `gpu${i % 8}`,
      kind: 'gpu' as const,
      jobId: i % 8 < 6 ? 'job-7' : null,
      energyJ: 250.5,
      powerW: 250.5,
      utilization: 97,
      source: 'nvml' as const,
    })),
  };
  return JSON.parse(JSON.stringify(signed(unsigned, 'k')));
}

const ODD_VALUES: unknown[] = [
  undefined,
  null,
  true,
  0,
  -0,
  -1,
  0.5,
  1.5,
  100,
  100.5,
  101,
  128,
  2 ** 53,
  2 ** 53 - 1,
  -(2 ** 53),
  NaN,
  Infinity,
  -Infinity,
  1e300,
  '',
  'x',
  '1',
  'a/b',
  'a b',
  'a\u0000b',
  'rack 1/gpu \u00fc\t7',
  '\u009f',
  'é',
  'x'.repeat(128),
  'x'.repeat(129),
  'x'.repeat(255),
  'x'.repeat(256),
  'gpu',
  'cpu',
  'dram',
  'tpu',
  'nvml',
  'rapl',
  'replay',
  'nvidia-smi',
  'dcgm',
  'f'.repeat(64),
  'F'.repeat(64),
  'f'.repeat(63),
  [],
  {},
  [1],
  { a: 1 },
];

/** Every way to alter one field (or add, or drop one) of a batch or of one of its samples. */
function alterations(): Array<[string, (b: Record<string, any>) => void]> {
  const out: Array<[string, (b: Record<string, any>) => void]> = [];
  const batchFields = ['version', 'agentId', 'bootId', 'firstSeq', 'node', 'sentAt', 'samples', 'signature'];
  const sampleFields = ['seq', 't0', 't1', 'device', 'kind', 'jobId', 'energyJ', 'powerW', 'utilization', 'source'];
  for (const v of ODD_VALUES) {
    for (const f of batchFields) out.push([`${f} = ${String(v)}`, (b) => (b[f] = v)]);
    for (const f of sampleFields) {
      out.push([`samples.0.${f} = ${String(v)}`, (b) => (b.samples[0][f] = v)]);
      out.push([`samples.39.${f} = ${String(v)}`, (b) => (b.samples[39][f] = v)]);
    }
  }
  for (const f of batchFields) out.push([`without ${f}`, (b) => delete b[f]]);
  for (const f of sampleFields) out.push([`without samples.3.${f}`, (b) => delete b.samples[3][f]]);
  out.push(['an extra key', (b) => (b.extra = 1)]);
  out.push(['an extra sample key', (b) => (b.samples[2].extra = 1)]);
  out.push([
    'a sample key renamed',
    (b) => {
      b.samples[2].Seq = b.samples[2].seq;
      delete b.samples[2].seq;
    },
  ]);
  out.push([
    'an inherited sample key',
    (b) => {
      const s = b.samples[1];
      const { source, ...rest } = s;
      b.samples[1] = Object.assign(Object.create({ source }), rest);
    },
  ]);
  out.push(['a sample of another class', (b) => (b.samples[1] = Object.assign(new (class X {})(), b.samples[1]))]);
  out.push(['a sample that is an array', (b) => (b.samples[1] = Object.values(b.samples[1]))]);
  out.push(['t1 equal to t0', (b) => (b.samples[5].t1 = b.samples[5].t0)]);
  out.push(['t1 before t0', (b) => (b.samples[5].t1 = b.samples[5].t0 - 1)]);
  out.push(['seqs swapped', (b) => ([b.samples[4].seq, b.samples[5].seq] = [b.samples[5].seq, b.samples[4].seq])]);
  out.push(['a sample dropped in the middle', (b) => b.samples.splice(10, 1)]);
  out.push(['no samples', (b) => (b.samples = [])]);
  out.push(['firstSeq shifted', (b) => (b.firstSeq += 1)]);
  out.push([
    '100,001 samples',
    (b) => {
      const s = b.samples[0];
      b.samples = Array.from({ length: 100_001 }, (_, i) => ({ ...s, seq: b.firstSeq + i }));
    },
  ]);
  return out;
}

describe('isCertainlyBatch', () => {
  it('accepts valid batches, small and large, with keys in any order', () => {
    expect(isCertainlyBatch(batch())).toBe(true);
    expect(isCertainlyBatch(batch(1))).toBe(true);
    const reordered = batch();
    const reversed = Object.fromEntries(Object.entries(reordered).reverse());
    reversed.samples = reordered.samples.map((s: object) => Object.fromEntries(Object.entries(s).reverse()));
    expect(isCertainlyBatch(reversed)).toBe(true);
    expect(Batch.safeParse(reversed).success).toBe(true);
  });

  it('refuses what is not an object', () => {
    for (const v of [null, undefined, 1, 'batch', [batch()]]) expect(isCertainlyBatch(v)).toBe(false);
  });

  it('never accepts what the Batch schema refuses, over every single-field alteration', () => {
    let refusedBySchema = 0;
    let acceptedByBoth = 0;
    for (const [name, alter] of alterations()) {
      const b = batch();
      alter(b);
      const schema = Batch.safeParse(b).success;
      const fast = isCertainlyBatch(b);
      if (!schema) refusedBySchema++;
      if (schema && fast) acceptedByBoth++;
      // a subset: what the fast test accepts, the schema accepts
      expect([name, fast && !schema]).toEqual([name, false]);
    }
    // the alterations reach both sides: most break the batch, some keep it valid
    expect(refusedBySchema).toBeGreaterThan(1000);
    expect(acceptedByBoth).toBeGreaterThan(20);
  });

  it('leaves to the schema only objects that JSON.parse never makes, so queued batches take the fast path', () => {
    const schemaOnly: string[] = [];
    for (const [name, alter] of alterations()) {
      const b = batch();
      alter(b);
      if (Batch.safeParse(b).success && !isCertainlyBatch(b)) schemaOnly.push(name);
    }
    expect(schemaOnly).toEqual(['an inherited sample key', 'a sample of another class']);
  });
});
