import type { BudgetUnit } from '@wattprint/db';

export type Verdict = 'allow' | 'warn' | 'refuse';

export interface BudgetCheck {
  budgetId: string;
  name: string;
  unit: BudgetUnit;
  amount: number;
  spent: number;
  projected: number;
  periodEnd: string;
  jobP50: number;
  jobP90: number;
  verdict: Verdict;
  reason: string;
}

/**
 * One budget's word on a job: refuse when what is spent plus the job's median (p50) would pass the
 * amount; warn when its p90 would, or when the projected spend at the period's end plus the job's
 * p50 would; allow otherwise.
 */
export function judge(
  amount: number,
  spent: number,
  projected: number,
  jobP50: number,
  jobP90: number,
): { verdict: Verdict; reason: string } {
  if (spent + jobP50 > amount) return { verdict: 'refuse', reason: 'spent + job p50 exceeds the budget' };
  if (spent + jobP90 > amount) return { verdict: 'warn', reason: 'spent + job p90 exceeds the budget' };
  if (projected + jobP50 > amount) return { verdict: 'warn', reason: 'projected spend + job p50 exceeds the budget' };
  return { verdict: 'allow', reason: 'within the budget' };
}

const RANK: Record<Verdict, number> = { allow: 0, warn: 1, refuse: 2 };

export function worst(checks: readonly BudgetCheck[]): BudgetCheck | null {
  return checks.reduce<BudgetCheck | null>((w, c) => (w === null || RANK[c.verdict] > RANK[w.verdict] ? c : w), null);
}

const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(1) : x.toPrecision(2));

/** The one line a person reads: verdict, the budget that decided it and its figures. */
export function verdictLine(team: string, decisive: BudgetCheck | null): string {
  if (decisive === null) return `allow: team ${team} has no budget`;
  const c = decisive;
  const u = c.unit === 'kWh' ? 'kWh' : 'kg CO2eq';
  const what = c.verdict === 'refuse' ? 'would overrun' : c.verdict === 'warn' ? 'may overrun' : 'fits';
  return (
    `${c.verdict}: job forecast ${fmt(c.jobP50)} ${u} (p50; p90 ${fmt(c.jobP90)}) ${what} budget "${c.name}" of team ${team}: ` +
    `${fmt(c.spent)} of ${fmt(c.amount)} ${u} spent, ${fmt(c.projected)} projected by ${c.periodEnd}`
  );
}
