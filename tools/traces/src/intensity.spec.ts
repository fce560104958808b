import { dailyShape, formatIntensityCsv, hourlyIntensity, REGION_PROFILES } from './intensity';

describe('hourly intensity', () => {
  const start = Date.UTC(2026, 2, 2, 8, 30);
  const end = Date.UTC(2026, 2, 2, 10, 0);
  const rows = hourlyIntensity([REGION_PROFILES.FR, REGION_PROFILES.DE], start, end, 7);

  it('gives one row per region per whole UTC hour touching the window, the hour holding the end included', () => {
    const iso = rows.map((r) => `${r.region} ${new Date(r.startMs).toISOString().slice(11, 13)}`);
    expect(iso).toEqual(['FR 08', 'FR 09', 'FR 10', 'DE 08', 'DE 09', 'DE 10']);
    for (const r of rows) expect(r.endMs - r.startMs).toBe(3_600_000);
  });

  it('has a solar dip at midday and an evening peak, around the region mean', () => {
    const de = REGION_PROFILES.DE;
    expect(dailyShape(de, 13)).toBeLessThan(dailyShape(de, 4));
    expect(dailyShape(de, 19)).toBeGreaterThan(dailyShape(de, 4));
    const day = Array.from({ length: 24 }, (_, h) => dailyShape(de, h));
    expect(Math.abs(day.reduce((a, b) => a + b, 0) / 24 / de.meanGPerKwh - 1)).toBeLessThan(0.1);
  });

  it('keeps the low-carbon grid far below the fossil one, values with one decimal', () => {
    const day = hourlyIntensity([REGION_PROFILES.FR, REGION_PROFILES.DE], Date.UTC(2026, 2, 2), Date.UTC(2026, 2, 3) - 1, 3);
    const fr = day.filter((r) => r.region === 'FR').map((r) => r.gPerKwh);
    const de = day.filter((r) => r.region === 'DE').map((r) => r.gPerKwh);
    expect(fr).toHaveLength(24);
    expect(Math.max(...fr)).toBeLessThan(Math.min(...de));
    for (const v of [...fr, ...de]) expect(Math.round(v * 10) / 10).toBe(v);
  });

  it('is reproducible by seed', () => {
    expect(hourlyIntensity([REGION_PROFILES.DE], start, end, 7)).toEqual(hourlyIntensity([REGION_PROFILES.DE], start, end, 7));
    expect(hourlyIntensity([REGION_PROFILES.DE], start, end, 8)).not.toEqual(hourlyIntensity([REGION_PROFILES.DE], start, end, 7));
  });

  it('writes CSV region,start,end,g_per_kwh with ISO times', () => {
    const lines = formatIntensityCsv(rows.slice(0, 1)).split('\n');
    expect(lines[0]).toBe('region,start,end,g_per_kwh');
    expect(lines[1]).toBe(`FR,2026-03-02T08:00:00.000Z,2026-03-02T09:00:00.000Z,${rows[0].gPerKwh}`);
  });
});
