import { z } from 'zod';
import { num } from '../spec/numbers';
import { Precision } from '../spec/spec.schema';

const Spread = z.strictObject({ p10: num('positive number'), p90: num('positive number') });

/** What a fit of observations learnt, whatever profiles they ran on. */
const fitCore = {
  observations: z.number().int().nonnegative(),
  /** Observations that carried a measured duration (the others fit the idle term's scale instead). */
  withDuration: z.number().int().nonnegative(),
  /** Mean absolute percentage error of the calibrated model's IT energy over the observations (0.1 = 10 %). */
  mape: z.number().nonnegative(),
  /** Share of the observations whose measured energy lies within the fitted p10–p90. */
  coverage: z.number().min(0).max(1),
  theta: num('positive number'),
  thetaFitted: z.boolean(),
  /** The fit as multipliers on the figures-derived defaults, so that it carries over to other precisions and profiles. */
  scale: z.strictObject({ alpha: z.number().nonnegative(), beta: z.number().nonnegative(), gamma: z.number().nonnegative() }),
  /** Measured over modelled duration (geometric mean; 1 when no observation had a duration). */
  durationScale: num('positive number'),
  /** Multiplier on the idle term: fitted when observations had no duration, else 1. */
  idleScale: z.number().nonnegative(),
  /** Measured/predicted ratios that bound p10 and p90 of every figure of a forecast. */
  spread: Spread,
};
export const FitCore = z.strictObject(fitCore);
export type FitCore = z.infer<typeof FitCore>;

/** What calibration learnt about one hardware profile. */
export const ProfileCalibration = z.strictObject({
  ...fitCore,
  /**
   * Fitted coefficients at `precision` and the profile's default busy power: J per layer-batch per
   * device, J per FLOP at full utilisation, J per byte.
   */
  alpha: z.number().nonnegative(),
  beta: z.number().nonnegative(),
  gamma: z.number().nonnegative(),
  precision: Precision,
});
export type ProfileCalibration = z.infer<typeof ProfileCalibration>;

/** The fit over every observation at once, used for a profile the file does not name. */
export const PooledCalibration = z.strictObject({ ...fitCore, profiles: z.array(z.string()) });
export type PooledCalibration = z.infer<typeof PooledCalibration>;

export const CALIBRATION_VERSION = 2;

export const CalibrationFile = z.strictObject({
  version: z.literal(CALIBRATION_VERSION, {
    error: `expected ${CALIBRATION_VERSION} (re-run \`wattprint calibrate\` to write this version)`,
  }),
  profiles: z.record(z.string(), ProfileCalibration),
  /** The same fit over every observation whatever its profile: used for a profile the file does not name. */
  pooled: PooledCalibration.optional(),
});
export type CalibrationFile = z.infer<typeof CalibrationFile>;

/** One measured run (spec-format.md). `spec` is checked on its own, to report paths inside it. */
export const Observation = z.strictObject({
  spec: z.unknown().refine((v) => v !== undefined, { error: 'expected a run spec' }),
  measured: z.strictObject({
    /** IT energy as metered at the servers (no PUE). */
    energyKWh: num('positive number'),
    /** Wall time of the run; optional (energy-only tables, a power meter's monthly sum). */
    durationS: num('positive number').optional(),
    /** Device-hours (devices × wall time), when that is what was recorded instead of the duration. */
    deviceHours: num('positive number').optional(),
  }),
});
export type Observation = z.infer<typeof Observation>;
