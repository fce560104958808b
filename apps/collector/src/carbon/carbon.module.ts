import { type DynamicModule, Module } from '@nestjs/common';
import type { CarbonConfig } from './carbon-config';
import { CarbonService } from './carbon.service';
import { CARBON_CONFIG } from './carbon.tokens';
import { EmissionFactorController } from './emissions/emission-factor.controller';
import { IntensityController } from './intensity/intensity.controller';
import { IntensityRepository } from './intensity/intensity.repository';
import { IntensityService } from './intensity/intensity.service';
import { IntensityPoller } from './providers/intensity-poller.service';
import { NodeController, SiteController } from './sites/site.controller';
import { SiteRepository } from './sites/site.repository';
import { SiteService } from './sites/site.service';

export { CarbonService } from './carbon.service';
export type { HourFactor } from '@wattprint/carbon';
export { hourFactorKey } from '@wattprint/carbon';
export { parseCarbonConfig, type CarbonConfig } from './carbon-config';

/** Every provider off: what `imports: [CarbonModule]` gets without forRoot. */
const PROVIDERS_OFF: CarbonConfig = {
  electricityMaps: null,
  wattTime: null,
  ukCarbonIntensity: null,
  pollMs: 900_000,
  requestTimeoutMs: 15_000,
};

/**
 * Sites, PUE, grid intensity (import, query, provider polling) and the emission factors reports use
 * (CarbonService). Needs the global DatabaseModule and ClockModule; `forRoot(config.carbon)` turns providers on.
 */
@Module({
  controllers: [SiteController, NodeController, IntensityController, EmissionFactorController],
  providers: [
    { provide: CARBON_CONFIG, useValue: PROVIDERS_OFF },
    SiteRepository,
    IntensityRepository,
    SiteService,
    IntensityService,
    CarbonService,
    IntensityPoller,
  ],
  exports: [CarbonService],
})
export class CarbonModule {
  static forRoot(config: CarbonConfig): DynamicModule {
    return { module: CarbonModule, providers: [{ provide: CARBON_CONFIG, useValue: config }] };
  }
}
