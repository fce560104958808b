import { Module } from '@nestjs/common';
import { DailyRollupRepository } from './daily/daily-rollup.repository';
import { DailyRollupService } from './daily/daily-rollup.service';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';
import { UsageService } from './usage.service';

/** Usage reports over time, and the daily rollups they read. Needs EmissionFactorsModule bound in the app. */
@Module({
  controllers: [UsageController],
  providers: [UsageRepository, UsageService, DailyRollupRepository, DailyRollupService],
  exports: [UsageService, DailyRollupService],
})
export class ReportsModule {}
