import { z } from 'zod';
import { num } from '../spec/numbers';
import { Precision } from '../spec/spec.schema';

const Spread = z.strictObject({ p10: num('positive number'), p90: num('positive number') });

/** What calibration learnt about one hardware profile. */
export const ProfileCalibration = z.strictObject({
  observations: z.number().int().nonnegative(),
  /** Mean absolute percentage error of the calibrated model's IT energy over the observations (0.1 = 10 %). */
  mape: z.number().nonnegative(),
  /** Fitted coefficients, expressed at `precision`: J per layer-batch per device, J per FLOP at full utilisation, J per byte. */
  alpha: z.number().nonnegative(),
  beta: z.number().nonnegative(),
  gamma: z.number().nonnegative(),
  theta: num('positive number'),
  thetaFitted: z.boolean(),
  precision: Precision,
  /** The fit as multipliers on the figures-derived defaults, so that it carries over to other precisions. */
  scale: z.strictObject({ alpha: z.number().nonnegative(), beta: z.number().nonnegative(), gamma: z.number().nonnegative() }),
  /** Measured over modelled duration (geometric mean). */
  durationScale: num('positive number'),
  /** Measured/predicted ratios that bound p10 and p90. */
  energySpread: Spread,
  durationSpread: Spread,
});
export type ProfileCalibration = z.infer<typeof ProfileCalibration>;

/** The file `wattprint calibrate -o` writes and `--calibration` reads. */
export const CalibrationFile = z.strictObject({
  version: z.literal(1),
  profiles: z.record(z.string(), ProfileCalibration),
});
export type CalibrationFile = z.infer<typeof CalibrationFile>;

/** One measured run (spec-format.md). `spec` is checked on its own, to report paths inside it. */
export const Observation = z.strictObject({
  spec: z.unknown().refine((v) => v !== undefined, { error: 'expected a run spec' }),
  measured: z.strictObject({
    energyKWh: num('positive number'),
    durationS: num('positive number'),
  }),
});
export type Observation = z.infer<typeof Observation>;
