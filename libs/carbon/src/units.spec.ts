import { DAY_MS, HOUR_MS, JOULES_PER_KWH, MINUTE_MS, hourStartOf, hoursOf, kWhOf, kgOf, minuteStartOf } from './units';

describe('units', () => {
  it('are the SI figures', () => {
    expect([MINUTE_MS, HOUR_MS, DAY_MS]).toEqual([60_000, 3_600_000, 86_400_000]);
    expect(JOULES_PER_KWH).toBe(3_600_000); // 1000 W × 3600 s
    expect(kWhOf(7.2e6)).toBe(2);
    expect(kgOf(1500)).toBe(1.5);
    expect(hoursOf(90 * MINUTE_MS)).toBe(1.5);
  });

  it('floors times off the whole second to their hour and minute, before 1970 too', () => {
    const t = Date.UTC(2026, 10, 20, 10, 59, 59, 999);
    expect(hourStartOf(t)).toBe(Date.UTC(2026, 10, 20, 10));
    expect(minuteStartOf(t)).toBe(Date.UTC(2026, 10, 20, 10, 59));
    expect(hourStartOf(-1)).toBe(-HOUR_MS);
    expect(hourStartOf(Date.UTC(2026, 10, 20, 11))).toBe(Date.UTC(2026, 10, 20, 11));
  });
});
