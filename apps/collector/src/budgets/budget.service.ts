import { Injectable } from '@nestjs/common';
import type { BudgetUnit } from '@wattprint/db';
import type { ForecastResult } from '@wattprint/estimation';
import type { Principal } from '../auth/auth.decorators';
import { ClockRepository } from '../clock/clock.repository';
import { UsageService } from '../reports/usage.service';
import { type BudgetFigures, type PeriodBounds, budgetFigures, crossedThresholds, periodAt, remainingOfForecast } from './budget-period';
import { BudgetNotFoundError } from './budget.errors';
import { type BudgetRecord, BudgetRepository } from './budget.repository';
import type { BudgetBody, BudgetStatus, BudgetView } from './budget.schemas';

/** The usage report's figure a budget counts: facility energy (IT energy × PUE) or CO2eq. */
export function reportFigure(unit: BudgetUnit, totals: { facilityEnergyKWh: number; co2eqKg: number }): number {
  return unit === 'kWh' ? totals.facilityEnergyKWh : totals.co2eqKg;
}

/** The forecast figure (p50 or p90) in a budget's unit. */
export function forecastFigure(unit: BudgetUnit, result: Pick<ForecastResult, 'facilityEnergyKWh' | 'co2eqKg'>, q: 'p50' | 'p90'): number {
  return unit === 'kWh' ? result.facilityEnergyKWh[q] : result.co2eqKg[q];
}

/** The reports see everything when asked by the collector itself. */
const SYSTEM: Principal = { tokenId: 'budgets', role: 'admin', team: null, agentId: null };

export interface EvaluatedBudget {
  budget: BudgetRecord;
  bounds: PeriodBounds;
  figures: BudgetFigures;
}

/**
 * Budgets and their status. What was spent is the usage report's figure for the team (and project)
 * over the period, so a budget and `GET /api/v1/usage` never disagree; no carbon math here.
 */
@Injectable()
export class BudgetService {
  constructor(
    private readonly budgets: BudgetRepository,
    private readonly usage: UsageService,
    private readonly clock: ClockRepository,
  ) {}

  async create(body: BudgetBody): Promise<BudgetView> {
    const now = this.clock.now();
    const id = this.budgets.newId();
    await this.budgets.insert({ id, ...columns(body), created_at: now, updated_at: now });
    return this.view((await this.budgets.find(id))!, true);
  }

  async replace(id: string, body: BudgetBody): Promise<BudgetView> {
    if (!(await this.budgets.replace(id, { ...columns(body), updated_at: this.clock.now() }))) throw new BudgetNotFoundError(id);
    return this.view((await this.budgets.find(id))!, true);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.budgets.delete(id))) throw new BudgetNotFoundError(id);
  }

  async list(principal: Principal, withStatus: boolean): Promise<BudgetView[]> {
    const rows = await this.budgets.list(principal.team);
    return Promise.all(rows.map((r) => this.view(r, withStatus)));
  }

  async get(id: string, principal: Principal): Promise<BudgetView> {
    return this.view(await this.visible(id, principal), true);
  }

  async status(id: string, principal: Principal): Promise<BudgetStatus> {
    return statusOf(await this.evaluate(await this.visible(id, principal)));
  }

  /** Every budget with its figures now, for the alert evaluator and the gauges. */
  async evaluateAll(): Promise<EvaluatedBudget[]> {
    const rows = await this.budgets.list(null);
    const out: EvaluatedBudget[] = [];
    for (const r of rows) out.push(await this.evaluate(r));
    return out;
  }

  /** The budgets of a team (and, when given, those of the project or of the whole team). */
  async forTeam(team: string, project: string | undefined): Promise<BudgetRecord[]> {
    return (await this.budgets.list(team)).filter((b) => b.project === null || b.project === project);
  }

  async evaluate(budget: BudgetRecord): Promise<EvaluatedBudget> {
    const now = this.clock.now();
    const bounds = periodAt(budget.period, now, { from: budget.period_from, to: budget.period_to });
    const report = await this.usage.report(
      {
        groupBy: 'team',
        from: bounds.start,
        to: bounds.end,
        bucket: 'day',
        team: budget.team,
        project: budget.project ?? undefined,
        format: undefined,
      },
      SYSTEM,
    );
    const spent = reportFigure(budget.unit, report.totals);
    let running = 0;
    for (const job of await this.budgets.runningForecasts(budget.team, budget.project)) {
      const result = JSON.parse(job.result) as ForecastResult;
      running += remainingOfForecast(forecastFigure(budget.unit, result, 'p50'), result.durationH?.p50 ?? 0, job.startedAt, now);
    }
    return { budget, bounds, figures: budgetFigures(budget.amount, spent, bounds, now, running) };
  }

  private async visible(id: string, principal: Principal): Promise<BudgetRecord> {
    const row = await this.budgets.find(id);
    if (row === undefined || (principal.team !== null && row.team !== principal.team)) throw new BudgetNotFoundError(id);
    return row;
  }

  private async view(r: BudgetRecord, withStatus: boolean): Promise<BudgetView> {
    return {
      id: r.id,
      name: r.name,
      team: r.team,
      project: r.project,
      unit: r.unit,
      amount: r.amount,
      period: r.period,
      from: r.period_from === null ? null : new Date(r.period_from).toISOString(),
      to: r.period_to === null ? null : new Date(r.period_to).toISOString(),
      thresholds: JSON.parse(r.thresholds) as number[],
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
      ...(withStatus ? { status: statusOf(await this.evaluate(r)) } : {}),
    };
  }
}

function columns(body: BudgetBody) {
  return {
    name: body.name,
    team: body.team,
    project: body.project ?? null,
    unit: body.unit,
    amount: body.amount,
    period: body.period,
    period_from: body.from ?? null,
    period_to: body.to ?? null,
    thresholds: JSON.stringify(body.thresholds),
  };
}

export function statusOf({ budget, bounds, figures }: EvaluatedBudget): BudgetStatus {
  return {
    periodStart: new Date(bounds.start).toISOString(),
    periodEnd: new Date(bounds.end).toISOString(),
    amount: figures.amount,
    spent: figures.spent,
    remaining: figures.remaining,
    spentRatio: figures.spentRatio,
    burnRatePerDay: figures.burnRatePerDay,
    projected: figures.projected,
    projectedRatio: figures.projectedRatio,
    runningForecastRemaining: figures.runningForecastRemaining,
    thresholdsCrossed: crossedThresholds(JSON.parse(budget.thresholds) as number[], figures.spentRatio),
  };
}
