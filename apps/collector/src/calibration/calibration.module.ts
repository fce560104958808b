import { Module } from '@nestjs/common';
import { CalibrationController } from './calibration.controller';
import { CalibrationRepository } from './calibration.repository';
import { CalibrationService } from './calibration.service';

/** Calibration from the ledger: fits per hardware profile from ended jobs launched from forecasts. */
@Module({
  controllers: [CalibrationController],
  providers: [CalibrationRepository, CalibrationService],
  exports: [CalibrationService],
})
export class CalibrationModule {}
