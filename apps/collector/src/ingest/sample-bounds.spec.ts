import { boundProblems, DEFAULT_SAMPLE_BOUNDS, timeProblem } from './sample-bounds';

const NOW = Date.UTC(2026, 11, 6, 10, 0, 0, 250);
const ok = { t0: NOW - 5_500, t1: NOW - 4_499, energyJ: 700.25 };

describe('boundProblems', () => {
  it('passes an ordinary batch, off the whole second, up to the bounds themselves', () => {
    const atBounds = [
      { t0: DEFAULT_SAMPLE_BOUNDS.earliestMs, t1: DEFAULT_SAMPLE_BOUNDS.earliestMs + 600_000, energyJ: 3_000_000 },
      { t0: NOW + 3_599_000, t1: NOW + 3_600_000, energyJ: 5_000 },
    ];
    expect(boundProblems({ sentAt: NOW, samples: [ok, ...atBounds] }, DEFAULT_SAMPLE_BOUNDS, NOW)).toEqual([]);
  });

  it('names the field, the value and the bound of each sample that breaks one', () => {
    const problems = boundProblems(
      {
        sentAt: NOW,
        samples: [
          ok,
          { t0: 0, t1: 1000, energyJ: 1 },
          { t0: NOW, t1: NOW + 1e13, energyJ: 1 },
          { t0: NOW, t1: NOW + 1000, energyJ: 1e308 },
        ],
      },
      DEFAULT_SAMPLE_BOUNDS,
      NOW,
    );
    expect(problems).toEqual([
      'samples.1.t0: got 0 (1970-01-01T00:00:00.000Z); expected no earlier than 2000-01-01T00:00:00.000Z',
      `samples.2.t1: got ${NOW + 1e13} (${new Date(NOW + 1e13).toISOString()}); expected no later than 2026-12-06T11:00:00.250Z (the collector's clock + 3600000 ms)`,
      'samples.2.t1: the sample spans 10000000000000 ms from t0; expected at most 600000 ms',
      'samples.3.energyJ: got 1e+308 J over 1000 ms (1.000e+308 W); expected at most 5000 W for the span, 5000 J',
    ]);
  });

  it('lists ten problems and counts the rest, so a dead letter stays readable', () => {
    const bad = Array.from({ length: 25 }, () => ({ t0: 5, t1: 6, energyJ: 0 }));
    const problems = boundProblems({ sentAt: NOW, samples: bad }, DEFAULT_SAMPLE_BOUNDS, NOW);
    expect(problems).toHaveLength(11);
    expect(problems[10]).toBe('... and 15 more');
  });

  it('checks sentAt and writes an unrepresentable time as a number', () => {
    expect(timeProblem('at', 9e15, DEFAULT_SAMPLE_BOUNDS, NOW)).toMatch(
      /^at: got 9000000000000000 \(9000000000000000\); expected no later than/,
    );
    expect(boundProblems({ sentAt: 9e15, samples: [ok] }, DEFAULT_SAMPLE_BOUNDS, NOW)).toHaveLength(1);
  });

  it('with maxAgeMs, refuses a sample starting before now − maxAge, to the millisecond, and says why', () => {
    const bounds = { ...DEFAULT_SAMPLE_BOUNDS, maxAgeMs: 2 * 86_400_000 };
    const edge = NOW - bounds.maxAgeMs;
    expect(boundProblems({ sentAt: NOW, samples: [{ t0: edge, t1: edge + 1_500, energyJ: 1.5 }] }, bounds, NOW)).toEqual([]);
    const [problem] = boundProblems({ sentAt: NOW, samples: [{ t0: edge - 1, t1: edge + 1_500, energyJ: 1.5 }] }, bounds, NOW);
    expect(problem).toBe(
      `samples.0.t0: got ${edge - 1} (${new Date(edge - 1).toISOString()}); expected no earlier than ${new Date(edge).toISOString()}: ` +
        'batch keys are kept WATTPRINT_BATCH_KEY_RETENTION_DAYS, and an older batch could be one already counted',
    );
    // before the earliest time, the earliest time is what it names
    expect(boundProblems({ sentAt: NOW, samples: [{ t0: 5, t1: 6, energyJ: 0 }] }, bounds, NOW)[0]).toMatch(/no earlier than 2000-01-01/);
  });
});
