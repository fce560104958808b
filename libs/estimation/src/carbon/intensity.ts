const HOUR_MS = 3_600_000;

/** Hourly grid intensity, gCO2eq/kWh, the first value for the hour starting at startMs (UTC ms). */
export interface IntensitySeries {
  startMs: number;
  gPerKWh: readonly number[];
}

export function seriesMean(series: IntensitySeries): number {
  if (series.gPerKWh.length === 0) return 0;
  return series.gPerKWh.reduce((s, v) => s + v, 0) / series.gPerKWh.length;
}

export function seriesEndMs(series: IntensitySeries): number {
  return series.startMs + series.gPerKWh.length * HOUR_MS;
}

export interface MeanIntensity {
  gPerKWh: number;
  /** False when part of the span fell outside the series and the series mean stood in for it. */
  covered: boolean;
}

/**
 * Time-weighted mean intensity over [fromMs, fromMs + durationH], energy assumed to flow evenly
 * over the span. Hours outside the series count at the series mean.
 */
export function meanIntensityOver(series: IntensitySeries, fromMs: number, durationH: number): MeanIntensity {
  const fallback = seriesMean(series);
  const at = (t: number): number | undefined => {
    const h = Math.floor((t - series.startMs) / HOUR_MS);
    return h >= 0 && h < series.gPerKWh.length ? series.gPerKWh[h] : undefined;
  };
  if (durationH <= 0) {
    const v = at(fromMs);
    return { gPerKWh: v ?? fallback, covered: v !== undefined };
  }
  const toMs = fromMs + durationH * HOUR_MS;
  let weighted = 0;
  let covered = true;
  for (let t = fromMs; t < toMs;) {
    const hourEnd = series.startMs + (Math.floor((t - series.startMs) / HOUR_MS) + 1) * HOUR_MS;
    const next = Math.min(hourEnd, toMs);
    const v = at(t);
    if (v === undefined) covered = false;
    weighted += (v ?? fallback) * (next - t);
    t = next;
  }
  return { gPerKWh: weighted / (toMs - fromMs), covered };
}

export interface StartChoice {
  startMs: number;
  gPerKWh: number;
}

/**
 * The whole hour in [fromMs, toMs] at which a run of durationH emits least, among starts whose run
 * lies inside the series (every start is considered when none fits).
 */
export function bestStartHour(series: IntensitySeries, durationH: number, fromMs: number, toMs: number): StartChoice | undefined {
  const first = Math.max(series.startMs, series.startMs + Math.ceil((fromMs - series.startMs) / HOUR_MS) * HOUR_MS);
  const candidates: StartChoice[] = [];
  for (let t = first; t <= toMs && t < seriesEndMs(series); t += HOUR_MS) {
    const mean = meanIntensityOver(series, t, durationH);
    if (mean.covered) candidates.push({ startMs: t, gPerKWh: mean.gPerKWh });
  }
  if (candidates.length === 0) {
    for (let t = first; t <= toMs && t < seriesEndMs(series); t += HOUR_MS)
      candidates.push({ startMs: t, gPerKWh: meanIntensityOver(series, t, durationH).gPerKWh });
  }
  return candidates.reduce<StartChoice | undefined>((best, c) => (best === undefined || c.gPerKWh < best.gPerKWh ? c : best), undefined);
}
