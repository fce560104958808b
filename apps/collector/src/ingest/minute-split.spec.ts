import type { Sample } from '@wattprint/protocol';
import { BucketAccumulator, mergeBatchRows, mergeSeenJobs } from './bucket-deltas';
import { hourOf, splitSampleByMinute } from './minute-split';

const M = 1_764_000_000_000; // a minute boundary (divisible by 60,000)

function sample(over: Partial<Sample>): Sample {
  return {
    seq: 0,
    t0: M,
    t1: M + 1000,
    device: 'gpu0',
    kind: 'gpu',
    jobId: 'j1',
    energyJ: 300,
    powerW: 300,
    utilization: 90,
    source: 'nvidia-smi',
    ...over,
  };
}

describe('splitSampleByMinute', () => {
  it('keeps a sample inside one minute whole', () => {
    expect(splitSampleByMinute(sample({ t0: M + 10_000, t1: M + 11_000 }), 'n1')).toEqual([
      {
        jobId: 'j1',
        node: 'n1',
        device: 'gpu0',
        deviceKind: 'gpu',
        minuteStart: M,
        joules: 300,
        samples: 1,
        durationMs: 1000,
        peakPowerW: 300,
      },
    ]);
  });

  it('treats a sample ending exactly on the boundary as inside its minute', () => {
    expect(splitSampleByMinute(sample({ t0: M + 59_000, t1: M + 60_000 }), 'n1')).toHaveLength(1);
  });

  it('splits a sample across a boundary by time: 59.5 s to 61 s gives 1/3 and 2/3', () => {
    const pieces = splitSampleByMinute(sample({ t0: M + 59_500, t1: M + 61_000, energyJ: 150 }), 'n1');
    expect(pieces.map((p) => [p.minuteStart, p.joules, p.durationMs, p.samples])).toEqual([
      [M, 50, 500, 1],
      [M + 60_000, 100, 1000, 0],
    ]);
  });

  it('spreads a long sample over every minute it touches, joules adding up', () => {
    const pieces = splitSampleByMinute(sample({ t0: M + 30_000, t1: M + 150_000, energyJ: 1200 }), 'n1');
    expect(pieces.map((p) => p.joules)).toEqual([300, 600, 300]);
    expect(pieces.map((p) => p.minuteStart)).toEqual([M, M + 60_000, M + 120_000]);
  });

  it('books a sample without a job to the idle job id', () => {
    expect(splitSampleByMinute(sample({ jobId: null }), 'n1')[0].jobId).toBe('');
  });

  it('finds the hour of a minute', () => {
    expect(hourOf(M + 60_000)).toBe(Math.floor((M + 60_000) / 3_600_000) * 3_600_000);
  });
});

describe('BucketAccumulator', () => {
  it('merges deltas of one bucket into one row, keeps the peak, and sorts rows by key', () => {
    const acc = new BucketAccumulator();
    acc.add(splitSampleByMinute(sample({ device: 'gpu1', powerW: null }), 'n1'));
    acc.add(splitSampleByMinute(sample({ device: 'gpu0', powerW: 250 }), 'n1'));
    acc.add(splitSampleByMinute(sample({ device: 'gpu0', t0: M + 1000, t1: M + 2000, powerW: 310, energyJ: 310 }), 'n1'));
    acc.add(splitSampleByMinute(sample({ device: 'gpu1', powerW: 90 }), 'n1'));
    const rows = mergeBatchRows([{ buckets: acc.rows() }]);
    expect(rows.map((r) => [r.device, r.joules, r.samples, r.durationMs, r.peakPowerW])).toEqual([
      ['gpu0', 610, 2, 2000, 310],
      ['gpu1', 600, 2, 2000, 90],
    ]);
  });

  it('gives the same rows past the linear-scan limit as below it, keys that differ in one part kept apart', () => {
    const acc = new BucketAccumulator();
    const keys: Array<[string, string, string, number]> = [];
    for (let i = 0; i < 50; i++) keys.push([`j${i % 3}`, `n${i % 2}`, `gpu${i % 5}`, M + 60_000 * Math.floor(i / 30)]);
    const distinct = new Map(keys.map((k) => [k.join('|'), k]));
    for (const round of [1, 2]) {
      for (const [jobId, node, device, minute] of keys) acc.addPiece(jobId, node, device, 'gpu', minute, 10 * round, 1, 1000, round * 100);
    }
    const rows = acc.rows();
    expect(rows).toHaveLength(distinct.size);
    expect(rows.map((r) => [r.jobId, r.node, r.device, r.minuteStart].join('|'))).toEqual([...distinct.keys()]);
    const per = (k: [string, string, string, number]) => keys.filter((x) => x.join('|') === k.join('|')).length;
    for (const r of rows) {
      const k: [string, string, string, number] = [r.jobId, r.node, r.device, r.minuteStart];
      expect([r.joules, r.samples, r.peakPowerW]).toEqual([30 * per(k), 2 * per(k), 200]);
    }
    const sorted = mergeBatchRows([{ buckets: rows }]).map((r) => `${r.jobId}\u0000${r.node}\u0000${r.device}\u0000${r.minuteStart}`);
    expect(sorted).toEqual([...sorted].sort());
  });

  it("merges the rows of a group of batches one per key, sorted by key, leaving each batch's rows as they were", () => {
    const row = (jobId: string, node: string, device: string, minute: number, joules: number, peak: number | null) => ({
      jobId,
      node,
      device,
      deviceKind: 'gpu' as const,
      minuteStart: M + minute * 60_000,
      joules,
      samples: 1,
      durationMs: 1000,
      peakPowerW: peak,
    });
    const first = { buckets: [row('j1', 'n2', 'gpu0', 0, 10, 100), row('j1', 'n1', 'gpu1', 1, 5, null)] };
    const second = { buckets: [row('j1', 'n1', 'gpu1', 1, 7, 70), row('j0', 'n9', 'gpu0', 0, 1, 1), row('j1', 'n2', 'gpu0', 0, 20, 90)] };
    const before = JSON.stringify([first, second]);
    const merged = mergeBatchRows([first, second]);
    expect(merged.map((r) => [r.jobId, r.node, r.device, r.minuteStart - M, r.joules, r.samples, r.durationMs, r.peakPowerW])).toEqual([
      ['j0', 'n9', 'gpu0', 0, 1, 1, 1000, 1],
      ['j1', 'n1', 'gpu1', 60_000, 12, 2, 2000, 70],
      ['j1', 'n2', 'gpu0', 0, 30, 2, 2000, 100],
    ]);
    expect(JSON.stringify([first, second])).toBe(before);
  });

  it('merges job sightings into the widest span, sorted by id', () => {
    expect(
      mergeSeenJobs([
        { jobId: 'b', firstSeenAt: 5, lastSeenAt: 6 },
        { jobId: 'a', firstSeenAt: 3, lastSeenAt: 9 },
        { jobId: 'b', firstSeenAt: 1, lastSeenAt: 4 },
      ]),
    ).toEqual([
      { jobId: 'a', firstSeenAt: 3, lastSeenAt: 9 },
      { jobId: 'b', firstSeenAt: 1, lastSeenAt: 6 },
    ]);
  });
});
