import fc from 'fast-check';
import { type LedgerPlan, type LedgerWindow, planRange, splitDays } from './ledger-source';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5);

/** Which table a plan reads instant `t` from, or null when outside it; 'hours' counts hourly and daily rows alike. */
function sourceOf(plan: LedgerPlan, t: number): 'minutes' | 'hours' | null {
  const sources = [
    ...(plan.hours !== null && t >= plan.hours.from && t < plan.hours.to ? ['hours' as const] : []),
    ...plan.minutes.filter((m) => t >= m.from && t < m.to).map(() => 'minutes' as const),
  ];
  if (sources.length > 1) throw new Error(`instant ${t} read twice`);
  return sources[0] ?? null;
}

const windows = fc.record({
  foldedUntil: fc.option(fc.integer({ min: 0, max: 40 * 24 }).map((h) => T0 + h * HOUR)),
  minutesFrom: fc.option(fc.integer({ min: 0, max: 40 * 24 * 60 }).map((m) => T0 + m * 60_000)),
});

describe('splitDays', () => {
  it('reads every instant of the range once, from the minutes exactly where the plan alone would, whole unmarked days from the daily rollups', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 * DAY }),
        fc.integer({ min: 1, max: 12 * DAY }),
        windows,
        fc.uniqueArray(fc.integer({ min: 0, max: 45 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 40, maxLength: 40 }),
        (offset, length, window: LedgerWindow, markedDays, probes) => {
          // off the second, the minute and the hour, as people ask
          const from = T0 + offset + 417;
          const to = from + length;
          const marked = new Set(markedDays.map((d) => T0 + d * DAY));
          const whole = planRange(from, to, window);
          const split = splitDays(from, to, window, marked);
          const restPlans = split.rest.map((r) => planRange(r.from, r.to, window));
          for (const d of split.days) {
            expect(d.from % DAY).toBe(0);
            expect(d.to % DAY).toBe(0);
            for (let day = d.from; day < d.to; day += DAY) expect(marked.has(day)).toBe(false);
          }
          // instants probed all over the range, its edges and the days' boundaries
          const instants = [
            ...probes.map((p) => from - DAY + Math.floor((p / 1_000_000) * (to - from + 2 * DAY))),
            ...split.days.flatMap((d) => [d.from - 1, d.from, d.to - 1, d.to]),
            from,
            to - 1,
          ];
          for (const t of instants) {
            const inDays = split.days.some((d) => t >= d.from && t < d.to);
            const fromRest = restPlans.map((p) => sourceOf(p, t)).filter((s) => s !== null);
            expect(fromRest.length + (inDays ? 1 : 0)).toBeLessThanOrEqual(1);
            const source = inDays ? 'hours' : (fromRest[0] ?? null);
            expect([t, source]).toEqual([t, sourceOf(whole, t)]);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('takes every whole unmarked folded day of the range, and leaves a range without one to the plan as it is', () => {
    const window = { foldedUntil: T0 + 10 * DAY + 5 * HOUR, minutesFrom: null };
    const from = T0 + 3 * HOUR + 17 * 60_000;
    expect(splitDays(from, T0 + 12 * DAY, window, new Set([T0 + 4 * DAY, T0 + 5 * DAY, T0 + 8 * DAY]))).toEqual({
      days: [
        { from: T0 + DAY, to: T0 + 4 * DAY },
        { from: T0 + 6 * DAY, to: T0 + 8 * DAY },
        { from: T0 + 9 * DAY, to: T0 + 10 * DAY },
      ],
      rest: [
        { from, to: T0 + DAY },
        { from: T0 + 4 * DAY, to: T0 + 6 * DAY },
        { from: T0 + 8 * DAY, to: T0 + 9 * DAY },
        { from: T0 + 10 * DAY, to: T0 + 12 * DAY },
      ],
    });
    expect(splitDays(from, from + 30 * HOUR, window, new Set())).toEqual({ days: [], rest: [{ from, to: from + 30 * HOUR }] });
    expect(splitDays(T0, T0 + 3 * DAY, { foldedUntil: null, minutesFrom: null }, new Set())).toEqual({
      days: [],
      rest: [{ from: T0, to: T0 + 3 * DAY }],
    });
  });
});
