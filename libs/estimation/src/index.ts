export * from './problems';
export { LayerSpec, LAYER_TYPES, ACTIVATIONS, type BoundLayer, type LayerType } from './spec/layer.schema';
export { RunSpec, PRECISIONS, STRATEGIES, type Precision, type Strategy, type RunSpecInput } from './spec/spec.schema';
export { prepareSpec, DEFAULT_UTILIZATION, DEFAULT_BATCH_SIZE, type PreparedSpec } from './spec/prepare';
export { analyzeLayers, layerCost, type ModelCost } from './layers/analyze';
export type { LayerCost, Shape } from './layers/layer.types';
export { HARDWARE_CATALOGUE } from './hardware/hardware.catalogue';
export { listHardware, findHardware, precisionsOf, BYTES_PER_ELEMENT } from './hardware/hardware.lookup';
export type { HardwareProfile, Sourced } from './hardware/hardware.types';
export { defaultCoefficients, DEFAULT_THETA, MEMORY_POWER_SHARE, type Coefficients } from './energy/coefficients';
export { runContext, type RunContext } from './energy/run-context';
export { costRun, type RunCosts } from './energy/run-costs';
export {
  hyperbandPlan,
  ashaPlan,
  successiveHalvingPlan,
  fullTrainingPlan,
  totalEpochs,
  type StrategyPlan,
  type Rung,
} from './search/strategies';
export { estimateSearch, type SearchEstimate } from './search/search-estimate';
export { compareStrategies, type StrategyOutcome } from './search/what-if';
export type { Quantiles } from './search/quantiles';
export { meanIntensityOver, bestStartHour, seriesMean, type IntensitySeries, type StartChoice } from './carbon/intensity';
export { calibrate, parseCalibration } from './calibration/calibrate';
export { CalibrationFile, ProfileCalibration, Observation } from './calibration/calibration.schema';
export { nnls } from './calibration/nnls';
export { DEFAULT_ENERGY_SPREAD, DEFAULT_DURATION_SPREAD, MIN_OBSERVATIONS_FOR_SPREAD } from './forecast/spreads';
export { DEFAULT_PUE, DEFAULT_INTENSITY } from './forecast/carbon';
export { forecast, explainForecast, type ForecastOptions, type ForecastExplanation } from './forecast/forecast';
export type { ForecastResult } from './forecast/result';
