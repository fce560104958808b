import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { apiSchema } from '../common/api-schema';
import { CalibrationSchema, RefitSchema } from './calibration.schemas';
import { CalibrationService } from './calibration.service';

@ApiTags('forecasts')
@ApiBearerAuth()
@Controller('api/v1/calibration')
export class CalibrationController {
  constructor(private readonly calibration: CalibrationService) {}

  // Fits are of the whole fleet's hardware, not of a team's jobs: coefficients say nothing of whose
  // jobs they came from, so every viewer may read them.
  @Get()
  @Roles('admin', 'viewer')
  @ApiOkResponse({ description: "The ledger's calibration: per hardware profile, its fit", schema: apiSchema(CalibrationSchema) })
  get() {
    return this.calibration.view();
  }

  @Post('refit')
  @HttpCode(200)
  @Roles('admin')
  @ApiOkResponse({ description: 'Refits every profile from the ledger now', schema: apiSchema(RefitSchema) })
  refit() {
    return this.calibration.refit();
  }
}
