import { mergeAnswers, type UsageSums } from './usage.repository';

const row = (key: string | null, idle: boolean, periodStart: number, joules: number, estimated = false): UsageSums => ({
  key,
  idle,
  periodStart,
  joules,
  idleJoules: joules / 10,
  gpuMs: joules * 2,
  facilityJoules: joules * 1.2,
  grams: joules * 0.1,
  estimated,
});

describe('mergeAnswers', () => {
  it('sums the rows of one group and period across stretches, keeps the others apart, and joins the estimated hours', () => {
    const merged = mergeAnswers([
      { rows: [row('vision', false, 0, 10), row(null, true, 0, 3)], estimatedHours: [7_200_000, 0] },
      {
        rows: [row('vision', false, 0, 5, true), row('vision', false, 86_400_000, 1), row(null, false, 0, 2)],
        estimatedHours: [0, 3_600_000],
      },
    ]);
    expect(merged.rows).toEqual([
      { ...row('vision', false, 0, 15), idleJoules: 1.5, gpuMs: 30, facilityJoules: 18, grams: 1.5, estimated: true },
      row(null, true, 0, 3),
      row('vision', false, 86_400_000, 1),
      row(null, false, 0, 2),
    ]);
    expect(merged.estimatedHours).toEqual([0, 3_600_000, 7_200_000]);
  });
});
