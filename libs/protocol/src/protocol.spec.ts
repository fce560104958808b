import {
  Batch,
  JobEvent,
  batchJobId,
  batchKey,
  canonicalJson,
  lastSeq,
  parseWith,
  problemLines,
  sign,
  signed,
  verify,
  verifyText,
  type UnsignedBatch,
} from './index';

const KEY = 'agent-secret';

function unsignedBatch(): UnsignedBatch {
  return {
    version: 1,
    agentId: 'node-a',
    bootId: '6f1c2e1a-8a9b-4c1e-9d0f-3b2a1c0d9e8f',
    firstSeq: 40,
    node: 'node-a.cluster',
    sentAt: 1_764_000_005_000,
    samples: [
      {
        seq: 40,
        t0: 1_764_000_000_000,
        t1: 1_764_000_001_000,
        device: 'gpu0',
        kind: 'gpu',
        jobId: '1234',
        energyJ: 301.5,
        powerW: 301.5,
        utilization: 97,
        source: 'nvidia-smi',
      },
      {
        seq: 41,
        t0: 1_764_000_000_000,
        t1: 1_764_000_001_000,
        device: 'gpu1',
        kind: 'gpu',
        jobId: null,
        energyJ: 61.2,
        powerW: 61.2,
        utilization: 0,
        source: 'nvidia-smi',
      },
    ],
  };
}

describe('batch round trip', () => {
  it('signs, serialises, parses and verifies', () => {
    const batch = signed(unsignedBatch(), KEY);
    const parsed = parseWith(Batch, JSON.parse(JSON.stringify(batch)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value).toEqual(batch);
    expect(verify(parsed.value, KEY)).toBe(true);
  });

  it('verifies whatever order the keys were serialised in', () => {
    const batch = signed(unsignedBatch(), KEY);
    const reordered = Object.fromEntries(Object.entries(batch).reverse()) as typeof batch;
    expect(JSON.stringify(reordered)).not.toBe(JSON.stringify(batch));
    expect(verify(reordered, KEY)).toBe(true);
    // a message signed the old way keeps the caller's member order: only the canonical path verifies it
    const callerOrder = { ...unsignedBatch(), signature: sign(unsignedBatch(), KEY) };
    expect(verify(callerOrder, KEY)).toBe(true);
    const tampered = { ...callerOrder, firstSeq: 41 };
    expect(verify(tampered, KEY)).toBe(false);
  });

  it('hands out messages in canonical member order, so JSON transport keeps them on the fast path', () => {
    const batch = signed(unsignedBatch(), KEY);
    const { signature, ...body } = JSON.parse(JSON.stringify(batch));
    expect(JSON.stringify(body)).toBe(canonicalJson(body));
    expect(Object.keys(body.samples[0])).toEqual([...Object.keys(body.samples[0])].sort());
    expect(signature).toBe(sign(unsignedBatch(), KEY));
  });

  it('names the batch by agent, boot and first seq', () => {
    const batch = unsignedBatch();
    expect(batchKey(batch)).toBe('node-a/6f1c2e1a-8a9b-4c1e-9d0f-3b2a1c0d9e8f/40');
    expect(batchJobId(batch)).toBe('b.node-a.6f1c2e1a-8a9b-4c1e-9d0f-3b2a1c0d9e8f.40');
    expect(lastSeq(batch)).toBe(41);
  });
});

describe('tampering', () => {
  const tamperings: Array<[string, (b: ReturnType<typeof unsignedBatch> & { signature: string }) => void]> = [
    ['energy of a sample', (b) => (b.samples[0].energyJ += 0.001)],
    ['job of a sample', (b) => (b.samples[1].jobId = '1234')],
    ['agent id', (b) => (b.agentId = 'node-b')],
    ['first seq', (b) => (b.firstSeq = 41)],
    ['a dropped sample', (b) => b.samples.pop()],
  ];
  it.each(tamperings)('fails verification after changing the %s', (_name, tamper) => {
    const batch = signed(unsignedBatch(), KEY);
    tamper(batch);
    expect(verify(batch, KEY)).toBe(false);
    // and on the canonical path, with the members in another order
    expect(verify(Object.fromEntries(Object.entries(batch).reverse()) as typeof batch, KEY)).toBe(false);
  });

  it('fails under another key, and without a signature', () => {
    const batch = signed(unsignedBatch(), KEY);
    expect(verify(batch, 'other-key')).toBe(false);
    expect(verify({ ...batch, signature: undefined }, KEY)).toBe(false);
    expect(verify({ ...batch, signature: 'zz' }, KEY)).toBe(false);
  });
});

describe('verifyText: the signature checked on the JSON text a message arrived as', () => {
  const text = () => JSON.stringify(signed(unsignedBatch(), KEY));

  it('accepts the text of a message from signed(), under its key only', () => {
    expect(text().endsWith(`,"signature":"${sign(unsignedBatch(), KEY)}"}`)).toBe(true);
    expect(verifyText(text(), KEY)).toBe(true);
    expect(verifyText(text(), 'other-key')).toBe(false);
  });

  it('refuses a changed value, and a signature member that is not the last', () => {
    expect(verifyText(text().replace('"energyJ":301.5', '"energyJ":301.6'), KEY)).toBe(false);
    const message = signed(unsignedBatch(), KEY);
    const { signature, ...body } = message;
    expect(verifyText(JSON.stringify({ signature, ...body }), KEY)).toBe(false);
    expect(verify(JSON.parse(JSON.stringify({ signature, ...body })), KEY)).toBe(true);
  });

  it('refuses members in another order (verify takes those) and text without a well-formed signature', () => {
    const callerOrder = JSON.stringify({ ...unsignedBatch(), signature: sign(unsignedBatch(), KEY) });
    expect(verifyText(callerOrder, KEY)).toBe(false);
    expect(verify(JSON.parse(callerOrder), KEY)).toBe(true);
    expect(verifyText(text().replace(/"signature":"[0-9a-f]{64}"/, '"signature":"zz"'), KEY)).toBe(false);
    expect(verifyText(text().toUpperCase(), KEY)).toBe(false);
    expect(verifyText('{}', KEY)).toBe(false);
  });
});

describe('malformed batches are refused with the path of each problem', () => {
  const cases: Array<[string, (b: Record<string, any>) => void, string]> = [
    ['negative energy', (b) => (b.samples[0].energyJ = -1), 'samples.0.energyJ'],
    ['energy as a string', (b) => (b.samples[1].energyJ = '12'), 'samples.1.energyJ'],
    ['t1 before t0', (b) => (b.samples[0].t1 = b.samples[0].t0 - 1), 'samples.0.t1'],
    ['unknown source', (b) => (b.samples[0].source = 'dcgm'), 'samples.0.source'],
    ['utilisation above 100', (b) => (b.samples[0].utilization = 140), 'samples.0.utilization'],
    ['a gap in seq', (b) => (b.samples[1].seq = 43), 'samples.1.seq'],
    ['unknown key', (b) => (b.extra = true), 'extra'],
    ['missing node', (b) => delete b.node, 'node'],
    ['wrong version', (b) => (b.version = 2), 'version'],
    ['agent id with a slash', (b) => (b.agentId = 'a/b'), 'agentId'],
    ['empty samples', (b) => (b.samples = []), 'samples'],
    ['signature not hex', (b) => (b.signature = 'not-a-signature'), 'signature'],
  ];
  it.each(cases)('%s', (_name, breakIt, path) => {
    const batch: Record<string, any> = JSON.parse(JSON.stringify(signed(unsignedBatch(), KEY)));
    breakIt(batch);
    const parsed = parseWith(Batch, batch);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.map((p) => p.path)).toContain(path);
  });

  it('reports every problem at once, each line naming the value found', () => {
    const batch: Record<string, any> = JSON.parse(JSON.stringify(signed(unsignedBatch(), KEY)));
    batch.samples[0].energyJ = -1;
    batch.samples[1].powerW = 'lots';
    const parsed = parseWith(Batch, batch);
    if (parsed.ok) throw new Error('expected failure');
    const lines = problemLines(parsed.problems);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^samples\.0\.energyJ: .*got -1$/);
    expect(lines[1]).toMatch(/^samples\.1\.powerW: .*got "lots"$/);
  });
});

describe('job events', () => {
  it('round-trips a signed start event and refuses a bad metadata field by path', () => {
    const event = signed(
      {
        type: 'start' as const,
        eventId: 'e1',
        agentId: 'node-a',
        node: 'node-a',
        jobId: '77',
        at: 1_764_000_000_000,
        metadata: { user: 'ada', team: 'vision', scheduler: 'slurm' as const, labels: { partition: 'gpu' } },
      },
      KEY,
    );
    const parsed = parseWith(JobEvent, JSON.parse(JSON.stringify(event)));
    expect(parsed.ok).toBe(true);
    expect(verify(event, KEY)).toBe(true);

    const bad = parseWith(JobEvent, { ...event, metadata: { ...event.metadata, scheduler: 'pbs' } });
    if (bad.ok) throw new Error('expected failure');
    expect(bad.problems[0].path).toBe('metadata.scheduler');
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: null } })).toBe('{"a":{"c":null,"d":[3,1]},"b":1}');
  });
  it('signs identical content identically', () => {
    expect(sign({ x: 1, y: 2 }, KEY)).toBe(sign({ y: 2, x: 1 }, KEY));
  });
});
