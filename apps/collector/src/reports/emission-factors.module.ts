import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { CarbonModule, CarbonService } from '../carbon/carbon.module';
import { EMISSION_FACTORS, type EmissionFactors } from './emission-factors';

type ImportedModule = NonNullable<DynamicModule['imports']>[number];

/**
 * Binds the EMISSION_FACTORS port once for the whole app, so jobs and reports share one
 * implementation: the carbon domain's CarbonService.
 */
@Global()
@Module({})
export class EmissionFactorsModule {
  /**
   * Binds CarbonService of `carbon`: pass the very CarbonModule (or `CarbonModule.forRoot(…)` object)
   * the app imports, so Nest sees one module and registers its controllers once.
   */
  static fromCarbon(carbon: ImportedModule = CarbonModule): DynamicModule {
    return EmissionFactorsModule.use(CarbonService, [carbon]);
  }

  /** Binds `implementation`, provided by one of `imports` (or by this module when there are none). */
  static use(implementation: Type<EmissionFactors>, imports: ImportedModule[] = []): DynamicModule {
    return {
      module: EmissionFactorsModule,
      imports,
      providers: [...(imports.length === 0 ? [implementation] : []), { provide: EMISSION_FACTORS, useExisting: implementation }],
      exports: [EMISSION_FACTORS],
    };
  }
}
