import fc from 'fast-check';
import { inReportOrder, usageReport } from './usage-report';
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

/** Hostile group keys: null and '' apart, the merge key's separators, a NUL, non-ASCII beyond the BMP. */
const keys = fc.constantFrom<string | null>(null, '', '/', ':', '0/1/:x', 'a\u0000b', 'équipe', '😀', 'Z', 'a');
const sums = fc.record({
  key: keys,
  idle: fc.boolean(),
  // mostly whole days, so stretches share periods; some off the hour and off the second
  periodStart: fc.oneof(
    { arbitrary: fc.integer({ min: 0, max: 4 }).map((d) => d * 86_400_000), weight: 4 },
    { arbitrary: fc.integer({ min: 0, max: 5 * 86_400_000 }), weight: 1 },
  ),
  joules: fc.double({ min: 0, max: 1e12, noNaN: true }),
  idleJoules: fc.double({ min: 0, max: 1e12, noNaN: true }),
  gpuMs: fc.integer({ min: 0, max: 1e9 }),
  facilityJoules: fc.double({ min: 0, max: 1e12, noNaN: true }),
  grams: fc.double({ min: 0, max: 1e12, noNaN: true }),
  estimated: fc.boolean(),
});
/** Stretches as a read makes them: no group twice in one period of one stretch. */
const answers = fc.array(
  fc.record({
    rows: fc.uniqueArray(sums, { selector: (r) => JSON.stringify([r.key, r.idle, r.periodStart]), maxLength: 30 }),
    estimatedHours: fc.array(
      fc.integer({ min: 0, max: 100 }).map((h) => h * 3_600_000),
      { maxLength: 5 },
    ),
  }),
  { maxLength: 4 },
);

describe('usageReport', () => {
  it('keeps rows of the same period, key and idle in the order given', () => {
    const rows = [row('b', false, 0, 1), row('a', false, 0, 2), row('a', false, 0, 3), row('a', false, 0, 1)];
    expect(usageReport(rows, []).rows.map((r) => [r.key, r.energyKWh * 3.6e6])).toEqual([
      ['a', expect.closeTo(2, 6)],
      ['a', expect.closeTo(3, 6)],
      ['a', expect.closeTo(1, 6)],
      ['b', expect.closeTo(1, 6)],
    ]);
  });
});

describe('mergeAnswers and usageReport against the plain definitions', () => {
  it('sums each (group, idle, period) over every stretch, once, whatever the keys', () => {
    fc.assert(
      fc.property(answers, (parts) => {
        const expected = new Map<string, UsageSums>();
        for (const r of parts.flatMap((p) => p.rows)) {
          const k = JSON.stringify([r.key, r.idle, r.periodStart]);
          const e = expected.get(k);
          expected.set(
            k,
            e === undefined
              ? { ...r }
              : {
                  ...e,
                  joules: e.joules + r.joules,
                  idleJoules: e.idleJoules + r.idleJoules,
                  gpuMs: e.gpuMs + r.gpuMs,
                  facilityJoules: e.facilityJoules + r.facilityJoules,
                  grams: e.grams + r.grams,
                  estimated: e.estimated || r.estimated,
                },
          );
        }
        const merged = mergeAnswers(parts);
        expect(merged.rows).toEqual([...expected.values()]);
        expect(merged.estimatedHours).toEqual([...new Set(parts.flatMap((p) => p.estimatedHours))].sort((a, b) => a - b));
      }),
    );
  });

  it('orders rows by period, then key by code unit with null last, then idle last', () => {
    fc.assert(
      fc.property(answers, (parts) => {
        const rows = mergeAnswers(parts).rows;
        const byKey = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);
        const expected = [...rows]
          .sort((a, b) => a.periodStart - b.periodStart || byKey(a.key, b.key) || Number(a.idle) - Number(b.idle))
          .map((r) => [new Date(r.periodStart).toISOString(), r.key, r.idle, r.joules / 3.6e6]);
        expect(usageReport(rows, []).rows.map((r) => [r.period, r.key, r.idle, r.energyKWh])).toEqual(expected);
        // and the comparator sort it falls back to where its numbers would not be exact
        expect(inReportOrder(rows, 0)).toEqual(inReportOrder(rows));
      }),
    );
  });
});
