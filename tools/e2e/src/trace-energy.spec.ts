import { GPU_PROFILES, generateScenario, traceCsvChunks } from '@wattprint/traces';
import { IDLE, TraceFormatError, deliveredAcrossCrash, jobDeviceKey, ledgerOf, relativeError, traceIntervals } from './trace-energy';

describe('traceIntervals and ledgerOf', () => {
  const csv = [
    't_ms,device,power_w,job_id',
    '0,gpu0,100.00,j1',
    '0,gpu1,50.50,',
    '1000,gpu0,200.00,j1',
    '1000,gpu1,50.50,j2',
    '3000,gpu0,0.01,',
    '3000,gpu1,60.00,',
  ].join('\n');

  it('integrates by the trapezoid, booking each interval to the job of its first point', () => {
    const ledger = ledgerOf(traceIntervals(csv));
    // gpu0: (100+200)/2×1 = 150 J for j1, (200+0.01)/2×2 = 200.01 J for j1; gpu1: 50.5 J idle, (50.5+60)/2×2 = 110.5 J for j2
    expect(ledger.byJob.get('j1')).toBe(350.01);
    expect(ledger.byJob.get('j2')).toBe(110.5);
    expect(ledger.byJob.get(IDLE)).toBe(50.5);
    expect(ledger.byDevice.get('gpu1')).toBe(161);
    expect(ledger.byJobDevice.get(jobDeviceKey('j1', 'gpu0'))).toBe(350.01);
    expect(ledger.totalJ).toBe(511.01);
  });

  it('keeps only what was delivered across a crash: up to the last delivered end, and from the resume point', () => {
    const ledger = ledgerOf(traceIntervals(csv), deliveredAcrossCrash(1000, 3000));
    expect(ledger.totalJ).toBe(150 + 50.5);
    expect(ledgerOf(traceIntervals(csv), deliveredAcrossCrash(0, 1000)).totalJ).toBe(200.01 + 110.5);
  });

  it('names the line, field, value and what was expected for a bad point', () => {
    expect(() => traceIntervals('0,gpu0,1.5\n1000,gpu0,abc')).toThrow(
      new TraceFormatError(2, 'power_w', 'abc', 'watts with at most two decimals'),
    );
    expect(() => traceIntervals('5,gpu0,1\n5,gpu0,2')).toThrow('trace line 2: t_ms: got "5"; expected a time after 5 for gpu0');
  });

  it("finds exactly the figures of the generator's truth on a generated cluster", () => {
    const generated = generateScenario({
      nodes: 3,
      gpusPerNode: 4,
      durationMs: 20 * 60_000,
      intervalMs: 1000,
      startMs: Date.UTC(2026, 2, 2, 8),
      seed: 3,
      profile: GPU_PROFILES.h100,
    });
    generated.scenario.nodes.forEach((node, n) => {
      const text = [...traceCsvChunks(generated.scenario, generated.grid, generated.traces[n])].join('');
      const ledger = ledgerOf(traceIntervals(text));
      const truth = generated.truth.nodes[node.id];
      expect(ledger.totalJ).toBe(truth.totalJ);
      expect(ledger.byJob.get(IDLE) ?? 0).toBe(truth.idleJ);
      for (const [job, joules] of Object.entries(truth.jobs)) expect(ledger.byJob.get(job)).toBe(joules);
      for (const [device, d] of Object.entries(truth.devices)) expect(ledger.byDevice.get(device)).toBe(d.totalJ);
    });
  });

  it('relativeError', () => {
    expect(relativeError(1.000000001, 1)).toBeCloseTo(1e-9, 15);
    expect(relativeError(0, 0)).toBe(0);
    expect(relativeError(1, 0)).toBe(Infinity);
  });
});
