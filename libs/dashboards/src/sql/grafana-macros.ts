import { HOUR_MS } from '@wattprint/carbon';

/**
 * The Grafana variables the generated SQL uses, in one place, so the test helper that expands them
 * knows exactly which ones exist. Grafana's global `$__from` / `$__to` are epoch milliseconds, the
 * unit of energy_buckets.minute_start/hour_start, so the time filter compares bigint to bigint and
 * stays on the (hour_start, node) index; `$__timeFilter` would need timestamps.
 */
export const FROM_MS = '$__from';
export const TO_MS = '$__to';
/** Grafana's interval for the panel's width and time range, in ms. */
export const INTERVAL_MS = '$__interval_ms';

/** Buckets whose minute lies in the dashboard range; the hour_start bound only lets the index help. */
export function timeRangeFilter(alias: string): string {
  return `${alias}.minute_start >= ${FROM_MS} AND ${alias}.minute_start < ${TO_MS}
    AND ${alias}.hour_start > ${FROM_MS} - ${HOUR_MS} AND ${alias}.hour_start < ${TO_MS}`;
}

/**
 * Width of a time-series step: Grafana's interval rounded up to whole hours, at least one hour,
 * because PUE and intensity are resolved per hour and a finer step would split an hour's factor.
 */
export const STEP_MS = `(CEIL(GREATEST(${INTERVAL_MS}, ${HOUR_MS}) / ${HOUR_MS}.0) * ${HOUR_MS})::bigint`;

/** The `time` column of a time series: the start of the step holding `hourStartExpr`. */
export function stepTime(hourStartExpr: string): string {
  return `to_timestamp((${hourStartExpr} - MOD(${hourStartExpr}, ${STEP_MS})) / 1000.0)`;
}

/** A multi-value template variable, as `IN (...)` over Grafana's quoted, comma-separated values. */
export function variableFilter(expr: string, variable: string): string {
  return `${expr} IN ($${variable})`;
}
