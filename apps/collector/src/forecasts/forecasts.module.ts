import { Module } from '@nestjs/common';
import { ForecastController } from './forecast.controller';
import { ForecastRepository } from './forecast.repository';
import { ForecastService } from './forecast.service';

/** Forecasts of run specs with libs/estimation, stored so jobs launched from them can be compared. */
@Module({
  controllers: [ForecastController],
  providers: [ForecastRepository, ForecastService],
  exports: [ForecastService],
})
export class ForecastsModule {}
