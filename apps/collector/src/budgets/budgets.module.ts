import { Module } from '@nestjs/common';
import { ForecastsModule } from '../forecasts/forecasts.module';
import { BudgetMetrics } from '../metrics/budget.metrics';
import { ReportsModule } from '../reports/reports.module';
import { AdmissionController } from './admission.controller';
import { AdmissionService } from './admission.service';
import { BudgetAlertsService } from './budget-alerts.service';
import { BudgetController } from './budget.controller';
import { BudgetRepository } from './budget.repository';
import { BudgetService } from './budget.service';
import { WebhookOutboxRepository } from './webhook-outbox.repository';

/**
 * Budgets per team, their status from the usage report, admission verdicts, threshold alerts through
 * signed webhooks from an outbox, and their gauges. Needs the app's MetricsModule and EmissionFactorsModule.
 */
@Module({
  imports: [ReportsModule, ForecastsModule],
  controllers: [BudgetController, AdmissionController],
  providers: [BudgetRepository, BudgetService, AdmissionService, WebhookOutboxRepository, BudgetAlertsService, BudgetMetrics],
  exports: [BudgetService, BudgetAlertsService],
})
export class BudgetsModule {}
