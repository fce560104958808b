import { type DynamicModule, Global, Module, type Type } from '@nestjs/common';
import { EMISSION_FACTORS, type EmissionFactors } from './emission-factors';

/**
 * Binds the EMISSION_FACTORS port once for the whole app, so jobs and reports share one
 * implementation. The app binds the carbon domain's service; a test may bind another class.
 */
@Global()
@Module({})
export class EmissionFactorsModule {
  static use(implementation: Type<EmissionFactors>, imports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: EmissionFactorsModule,
      imports,
      providers: [{ provide: EMISSION_FACTORS, useExisting: implementation }, ...(imports.length === 0 ? [implementation] : [])],
      exports: [EMISSION_FACTORS],
    };
  }
}
