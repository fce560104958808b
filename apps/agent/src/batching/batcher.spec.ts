import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Batch, parseWith, verify } from '@wattprint/protocol';
import { SeqStore } from '../spool/seq-store';
import type { SampleDraft } from '../attribution/attributor';
import { Batcher, MAX_SAMPLES_PER_BATCH } from './batcher';

const KEY = 'batcher-key-0123456789abcdef';
const draft = (i: number): SampleDraft => ({
  t0: 1_764_000_000_000 + i * 1000,
  t1: 1_764_000_001_000 + i * 1000,
  device: 'gpu0',
  kind: 'gpu',
  jobId: i % 2 ? '1234' : null,
  energyJ: 300.5,
  powerW: 300.5,
  utilization: 97,
  source: 'nvml',
});

describe('batches', () => {
  it('are valid signed Batches with seqs running on across batches', () => {
    const seqs = new SeqStore(mkdtempSync(join(tmpdir(), 'wattprint-seq-')));
    const batcher = new Batcher({ agentId: 'node-a', bootId: 'boot-1', node: 'node-a.cluster', key: KEY }, seqs);
    batcher.add([draft(0), draft(1), { ...draft(2), t1: draft(2).t0 }]); // an empty interval is not a sample
    const [first] = batcher.take(1_764_000_005_000);
    batcher.add(Array.from({ length: MAX_SAMPLES_PER_BATCH + 3 }, (_, i) => draft(i)));
    const more = batcher.take(1_764_000_010_000);
    for (const batch of [first, ...more]) {
      const parsed = parseWith(Batch, JSON.parse(JSON.stringify(batch)));
      expect(parsed.ok).toBe(true);
      expect(verify(batch, KEY)).toBe(true);
    }
    expect([first, ...more].map((b) => [b.firstSeq, b.samples.length])).toEqual([
      [0, 2],
      [2, MAX_SAMPLES_PER_BATCH],
      [2 + MAX_SAMPLES_PER_BATCH, 3],
    ]);
    expect(batcher.take(0)).toEqual([]);
    expect(seqs.next).toBe(5 + MAX_SAMPLES_PER_BATCH);
  });
});
