import { isUsable, type LedgerOutcome, observationOf, parseStored, summarize } from './ledger-outcomes';

const outcome = (over: Partial<LedgerOutcome> = {}): LedgerOutcome => ({
  jobId: 'j',
  forecastId: 'fc',
  team: 't',
  endedAt: 1000,
  durationMs: 60_000,
  measuredKWh: 2,
  gpus: 4,
  energyMissing: false,
  spec: { model: { flopsPerSample: 1e9 }, hardware: { profile: 'p', count: 8 }, site: { region: 'DE' }, start: '2026-12-01T00:00:00Z' },
  forecastKWh: { p10: 1, p50: 2, p90: 4 },
  profile: 'p',
  ...over,
});

describe('ledger outcomes', () => {
  it('makes an observation of the GPUs the job ran on, without site and start, with its energy and wall time', () => {
    expect(observationOf(outcome())).toEqual({
      spec: { model: { flopsPerSample: 1e9 }, hardware: { profile: 'p', count: 4 } },
      measured: { energyKWh: 2, durationS: 60 },
    });
    // no GPU seen (CPU-only energy): the spec's count stands
    expect(observationOf(outcome({ gpus: 0 })).spec.hardware).toEqual({ profile: 'p', count: 8 });
  });

  it('learns only from complete, measured jobs with a spec and a duration', () => {
    expect(isUsable(outcome())).toBe(true);
    expect(isUsable(outcome({ energyMissing: true }))).toBe(false);
    expect(isUsable(outcome({ measuredKWh: 0 }))).toBe(false);
    expect(isUsable(outcome({ durationMs: 0 }))).toBe(false);
    expect(isUsable(outcome({ spec: null }))).toBe(false);
  });

  it('scores MAPE against p50 and coverage of p10–p90; nothing to score is null, not 0', () => {
    expect(summarize([outcome(), outcome({ measuredKWh: 5 }), outcome({ forecastKWh: null })])).toEqual({
      count: 2,
      mape: (0 + 3 / 5) / 2,
      coverage: 0.5,
    });
    expect(summarize([])).toEqual({ count: 0, mape: null, coverage: null });
  });

  it('reads stored spec and result, and survives what it cannot parse', () => {
    expect(parseStored('{"hardware":{"profile":"p"}}', '{"energyKWh":{"p10":1,"p50":2,"p90":3}}')).toEqual({
      spec: { hardware: { profile: 'p' } },
      profile: 'p',
      forecastKWh: { p10: 1, p50: 2, p90: 3 },
    });
    expect(parseStored('not json', '{}')).toEqual({ spec: null, profile: 'unknown', forecastKWh: null });
  });
});
