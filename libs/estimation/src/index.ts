export * from './problems';
export { LayerSpec, LAYER_TYPES, ACTIVATIONS, type BoundLayer, type LayerType } from './spec/layer.schema';
export {
  RunSpec,
  TransformerSpec,
  MAX_TRIALS,
  PRECISIONS,
  STRATEGIES,
  type Precision,
  type Strategy,
  type RunSpecInput,
} from './spec/spec.schema';
export { prepareSpec, transformerFlopsPerToken, DEFAULT_UTILIZATION, DEFAULT_BATCH_SIZE, type PreparedSpec } from './spec/prepare';
export { analyzeLayers, layerCost, type ModelCost } from './layers/analyze';
export type { LayerCost, Shape } from './layers/layer.types';
export { HARDWARE_CATALOGUE, SMALL_TRANSFORMER_PARAMS } from './hardware/hardware.catalogue';
export {
  listHardware,
  findHardware,
  precisionsOf,
  mixedPrecision,
  transformerUtilization,
  BYTES_PER_ELEMENT,
} from './hardware/hardware.lookup';
export type { HardwareProfile, Sourced, TransformerUtilization } from './hardware/hardware.types';
export { defaultCoefficients, defaultBusyW, DEFAULT_THETA, MEMORY_POWER_SHARE, type Coefficients } from './energy/coefficients';
export { runContext, type RunContext, type CalibratedScales } from './energy/run-context';
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
export {
  CalibrationFile,
  ProfileCalibration,
  PooledCalibration,
  FitCore,
  Observation,
  CALIBRATION_VERSION,
} from './calibration/calibration.schema';
export { nnls } from './calibration/nnls';
export { DEFAULT_SPREAD, MIN_OBSERVATIONS_FOR_SPREAD, spreadFromRatios, coverage, type Spread } from './forecast/spreads';
export { DEFAULT_PUE, DEFAULT_INTENSITY } from './forecast/carbon';
export { formatEnergy, formatMass, sig } from './forecast/units';
export { forecast, explainForecast, calibrationFor, type ForecastOptions, type ForecastExplanation } from './forecast/forecast';
export type { ForecastResult } from './forecast/result';
export { ReferenceFamily, ReferenceRun, ReferenceFigure } from './accuracy/reference.schema';
export {
  accuracyReport,
  checkTargets,
  ACCURACY_TARGETS,
  LOO_MIN_RUNS,
  type AccuracyReport,
  type FamilyAccuracy,
  type RunAccuracy,
  type ErrorSummary,
  type TargetCheck,
} from './accuracy/accuracy';
