import { Module } from '@nestjs/common';
import { CalibrationModule } from '../calibration/calibration.module';
import { ForecastController } from './forecast.controller';
import { ForecastRepository } from './forecast.repository';
import { ForecastService } from './forecast.service';

/**
 * Forecasts of run specs with libs/estimation, stored so jobs launched from them can be compared, and
 * priced with the calibration the ledger has fitted for the spec's profile.
 */
@Module({
  imports: [CalibrationModule],
  controllers: [ForecastController],
  providers: [ForecastRepository, ForecastService],
  exports: [ForecastService],
})
export class ForecastsModule {}
