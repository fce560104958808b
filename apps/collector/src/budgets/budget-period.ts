import { DAY_MS } from '@wattprint/carbon';
import type { BudgetPeriod } from '@wattprint/db';

export interface PeriodBounds {
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
}

/**
 * The period of a budget that holds `now`: the calendar month or quarter in UTC (recurring), or the
 * one custom [from, to) whatever `now` is.
 */
export function periodAt(period: BudgetPeriod, now: number, custom?: { from: number | null; to: number | null }): PeriodBounds {
  if (period === 'custom') {
    if (custom?.from == null || custom?.to == null) throw new Error('a custom budget period needs from and to');
    return { start: custom.from, end: custom.to };
  }
  const d = new Date(now);
  const year = d.getUTCFullYear();
  const firstMonth = period === 'month' ? d.getUTCMonth() : Math.floor(d.getUTCMonth() / 3) * 3;
  const months = period === 'month' ? 1 : 3;
  return { start: Date.UTC(year, firstMonth, 1), end: Date.UTC(year, firstMonth + months, 1) };
}

export interface BudgetFigures {
  amount: number;
  spent: number;
  remaining: number;
  spentRatio: number;
  /** Spent per day of the period so far (0 before it starts). */
  burnRatePerDay: number;
  /** spent + burn rate × the days left + what running jobs' forecasts still expect. */
  projected: number;
  projectedRatio: number;
  /** The remaining forecast (p50) of the team's running jobs that carry one, included in projected. */
  runningForecastRemaining: number;
  elapsedDays: number;
  daysLeft: number;
}

/**
 * The figures of a budget from what the ledger says was spent in the period so far. The burn rate
 * is spent over the elapsed part of the period; the projection extends it to the period's end and
 * adds the remaining forecast of running jobs (their forecast still to come, not yet in the ledger).
 */
export function budgetFigures(
  amount: number,
  spent: number,
  bounds: PeriodBounds,
  now: number,
  runningForecastRemaining: number,
): BudgetFigures {
  const elapsedMs = Math.min(Math.max(now - bounds.start, 0), bounds.end - bounds.start);
  const leftMs = Math.max(bounds.end - Math.max(now, bounds.start), 0);
  const elapsedDays = elapsedMs / DAY_MS;
  const daysLeft = leftMs / DAY_MS;
  const burnRatePerDay = elapsedDays > 0 ? spent / elapsedDays : 0;
  const running = leftMs > 0 ? runningForecastRemaining : 0;
  const projected = spent + burnRatePerDay * daysLeft + running;
  return {
    amount,
    spent,
    remaining: amount - spent,
    spentRatio: spent / amount,
    burnRatePerDay,
    projected,
    projectedRatio: projected / amount,
    runningForecastRemaining: running,
    elapsedDays,
    daysLeft,
  };
}

/**
 * What a running job's forecast still expects: its p50 scaled by the share of the forecast duration
 * not yet elapsed (nothing once the forecast duration has passed).
 */
export function remainingOfForecast(p50: number, durationH: number, startedAt: number, now: number): number {
  if (!(durationH > 0)) return 0;
  const elapsedH = Math.max(now - startedAt, 0) / 3_600_000;
  return p50 * Math.max(0, 1 - elapsedH / durationH);
}

/** The thresholds crossed by `ratio` (spent / amount), lowest first. */
export function crossedThresholds(thresholds: readonly number[], ratio: number): number[] {
  return thresholds.filter((t) => ratio >= t);
}
