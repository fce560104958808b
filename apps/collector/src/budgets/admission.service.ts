import { ForbiddenException, Injectable } from '@nestjs/common';
import type { ForecastResult } from '@wattprint/estimation';
import type { Principal } from '../auth/auth.decorators';
import { ClockRepository } from '../clock/clock.repository';
import { ForecastService } from '../forecasts/forecast.service';
import { type BudgetCheck, judge, type Verdict, verdictLine, worst } from './admission';
import type { AdmissionBody } from './budget.schemas';
import { BudgetService, forecastFigure, statusOf } from './budget.service';

export interface AdmissionAnswer {
  verdict: Verdict;
  line: string;
  team: string;
  forecastId: string;
  /** The job's forecast as stored (quantiles p10, p50, p90). */
  forecast: Pick<ForecastResult, 'energyKWh' | 'facilityEnergyKWh' | 'co2eqKg' | 'durationH'>;
  budgets: BudgetCheck[];
}

/**
 * The verdict on a job before it starts: its spec is forecast as POST /api/v1/forecasts does (and
 * stored, so the job can carry the forecastId), then held against each budget of its team.
 */
@Injectable()
export class AdmissionService {
  constructor(
    private readonly forecasts: ForecastService,
    private readonly budgets: BudgetService,
    private readonly clock: ClockRepository,
  ) {}

  async admit(body: AdmissionBody, principal: Principal): Promise<AdmissionAnswer> {
    if (principal.role === 'viewer' && principal.team !== null && principal.team !== body.team) {
      throw new ForbiddenException({
        statusCode: 403,
        error: 'forbidden',
        message: `team: a viewer of team ${principal.team} may not ask for team ${body.team}`,
      });
    }
    const stored = await this.forecasts.create(body.spec, principal);
    const result = stored.result;
    const checks: BudgetCheck[] = [];
    for (const budget of await this.budgets.forTeam(body.team, body.project)) {
      const e = await this.budgets.evaluate(budget);
      // a custom period that has not begun or is over says nothing about a job starting now
      const now = this.clock.now();
      if (now < e.bounds.start || now >= e.bounds.end) continue;
      const s = statusOf(e);
      const jobP50 = forecastFigure(budget.unit, result, 'p50');
      const jobP90 = forecastFigure(budget.unit, result, 'p90');
      checks.push({
        budgetId: budget.id,
        name: budget.name,
        unit: budget.unit,
        amount: s.amount,
        spent: s.spent,
        projected: s.projected,
        periodEnd: s.periodEnd,
        jobP50,
        jobP90,
        ...judge(s.amount, s.spent, s.projected, jobP50, jobP90),
      });
    }
    const decisive = worst(checks);
    return {
      verdict: decisive?.verdict ?? 'allow',
      line: verdictLine(body.team, decisive),
      team: body.team,
      forecastId: stored.id,
      forecast: {
        energyKWh: result.energyKWh,
        facilityEnergyKWh: result.facilityEnergyKWh,
        co2eqKg: result.co2eqKg,
        durationH: result.durationH,
      },
      budgets: checks,
    };
  }
}
