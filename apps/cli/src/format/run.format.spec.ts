import { formatRunEnd, type RunSummary, shellWords } from './run.format';

const base: RunSummary = {
  jobId: 'j-1',
  command: ['python', 'train.py', '--lr', '3e-4'],
  startedAt: '2026-12-01T10:00:00.000Z',
  endedAt: '2026-12-01T10:41:12.000Z',
  durationS: 2472,
  exitStatus: 0,
  signal: null,
  startError: null,
  forecast: null,
  ledger: null,
  ledgerProblem: null,
};

describe('shellWords', () => {
  it('quotes only the words a shell would split or expand', () => {
    expect(shellWords(['python', 'train.py', '--lr=3e-4', 'a b', "it's", '$HOME'])).toBe(
      `python train.py --lr=3e-4 'a b' 'it'\\''s' '$HOME'`,
    );
  });
});

describe('formatRunEnd', () => {
  it('says how the command ended and what the ledger holds, beside the forecast', () => {
    const text = formatRunEnd(
      {
        ...base,
        ledger: {
          energyKWh: 0.036,
          facilityEnergyKWh: 0.0414,
          co2eqKg: 0.0217,
          gpuHours: 0.6867,
          samples: 2472,
          estimatedHours: [],
          energyMissing: true,
          forecastRatio: 0.9,
          withinForecastInterval: true,
        },
      },
      true,
    );
    expect(text.split('\n')).toEqual([
      'wattprint: job j-1: `python train.py --lr 3e-4` exited 0 after 41.2 min',
      'wattprint: in the ledger so far: 36 Wh IT, 41.4 Wh facility, 21.7 g CO2eq, 0.687 GPU-hours; 0.9× the forecast p50 (within p10–p90)',
      'wattprint: some of its energy is missing: an agent was down or batches were lost (see gaps in GET /api/v1/jobs/j-1)',
      'wattprint: the agent sends a batch every few seconds, so the last ones may still be on their way: GET /api/v1/jobs/j-1 for the final figure',
      '',
    ]);
  });

  it('names the signal, the reason the ledger could not be read, or that it has nothing yet', () => {
    expect(
      formatRunEnd({ ...base, exitStatus: 143, signal: 'SIGTERM', ledgerProblem: 'the collector answered 503: not ready' }, true),
    ).toBe(
      'wattprint: job j-1: `python train.py --lr 3e-4` was ended by SIGTERM after 41.2 min\n' +
        'wattprint: could not read the job from the collector: the collector answered 503: not ready\n',
    );
    expect(formatRunEnd(base, true)).toContain('the collector has no energy for job j-1 yet');
    expect(formatRunEnd(base, false)).toBe('wattprint: job j-1: `python train.py --lr 3e-4` exited 0 after 41.2 min\n');
  });
});
