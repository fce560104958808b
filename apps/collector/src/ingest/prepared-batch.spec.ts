import { signed, type UnsignedBatch } from '@wattprint/protocol';
import { prepareBatch } from './prepared-batch';
import { TtlCache } from './ttl-cache';

const M = 1_764_000_000_000;

describe('prepareBatch', () => {
  it('reduces a batch to one row per bucket, its jobs, its span and totals', () => {
    const base = { kind: 'gpu' as const, powerW: 200, utilization: 50, source: 'nvml' as const };
    const batch: UnsignedBatch = {
      version: 1,
      agentId: 'a',
      bootId: 'b',
      firstSeq: 10,
      node: 'n',
      sentAt: M + 70_000,
      samples: [
        { ...base, seq: 10, t0: M + 58_000, t1: M + 59_000, device: 'gpu0', jobId: 'j', energyJ: 200 },
        { ...base, seq: 11, t0: M + 59_000, t1: M + 61_000, device: 'gpu0', jobId: 'j', energyJ: 400, powerW: 210 },
        { ...base, seq: 12, t0: M + 58_000, t1: M + 59_000, device: 'gpu1', jobId: null, energyJ: 60 },
      ],
    };
    const p = prepareBatch(signed(batch, 'k'));
    expect(p).toMatchObject({
      key: 'a/b/10',
      firstSeq: 10,
      lastSeq: 12,
      firstT0: M + 58_000,
      lastT1: M + 61_000,
      sampleCount: 3,
      joules: 660,
    });
    expect(p.buckets.map((r) => [r.device, r.jobId, r.minuteStart - M, r.joules, r.samples, r.durationMs, r.peakPowerW])).toEqual([
      ['gpu0', 'j', 0, 400, 2, 2000, 210],
      ['gpu0', 'j', 60_000, 200, 0, 1000, 210],
      ['gpu1', '', 0, 60, 1, 1000, 200],
    ]);
    expect(p.jobs).toEqual([{ jobId: 'j', firstSeenAt: M + 58_000, lastSeenAt: M + 61_000 }]);
  });
});

describe('TtlCache', () => {
  it('forgets an entry once its time is up', () => {
    let now = 0;
    const cache = new TtlCache<string>(100, () => now);
    cache.set('a', 'key');
    now = 99;
    expect(cache.get('a')).toBe('key');
    now = 100;
    expect(cache.get('a')).toBeUndefined();
  });
});
