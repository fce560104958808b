/** Injection token of the parsed CarbonConfig (providers and polling). */
export const CARBON_CONFIG = Symbol('CARBON_CONFIG');
