import { explainForecast, forecast } from '../forecast/forecast';
import { SpecError } from '../problems';
import { MNIST_LAYERS } from '../testing/fixtures';
import { calibrate, parseCalibration } from './calibrate';
import type { CalibrationFile } from './calibration.schema';
import { nnls } from './nnls';

const PROFILE = 'nvidia-l40s';
const TRUTH = { scale: { alpha: 2, beta: 0.5, gamma: 3 }, theta: 4.2 };

function truthFile(truth: { idleScale?: number; durationScale?: number } = {}): CalibrationFile {
  return {
    version: 2,
    profiles: {
      [PROFILE]: {
        observations: 0,
        withDuration: 0,
        mape: 0,
        coverage: 1,
        alpha: 0,
        beta: 0,
        gamma: 0,
        theta: TRUTH.theta,
        thetaFitted: true,
        precision: 'fp32',
        scale: TRUTH.scale,
        durationScale: truth.durationScale ?? 1,
        idleScale: truth.idleScale ?? 1,
        spread: { p10: 1, p90: 1 },
      },
    },
  };
}

/** Varied runs (depth, width, batch, conv vs dense, forward-only) so that α, β, γ and θ are separable. */
function syntheticSpecs() {
  const specs: object[] = [];
  for (const [units, depth, batch] of [
    [64, 8, 32],
    [512, 2, 256],
    [2048, 1, 64],
    [128, 16, 16],
    [1024, 3, 512],
  ]) {
    specs.push({
      model: {
        input: [784],
        layers: [
          { type: 'dense', units, repeat: depth, activation: 'relu' },
          { type: 'dense', units: 10 },
        ],
      },
      hardware: { profile: PROFILE },
      training: { samples: 50_000, epochs: 2, batchSize: batch },
    });
  }
  specs.push({
    model: { input: [28, 28, 1], layers: MNIST_LAYERS },
    hardware: { profile: PROFILE },
    training: { samples: 60_000, epochs: 3, batchSize: 128 },
  });
  // Forward-only runs: what makes θ identifiable.
  specs.push({
    model: { input: [28, 28, 1], layers: MNIST_LAYERS },
    hardware: { profile: PROFILE },
    inference: { count: 1e6, batchSize: 64 },
  });
  specs.push({
    model: { input: [784], layers: [{ type: 'dense', units: 256, repeat: 4 }] },
    hardware: { profile: PROFILE },
    inference: { count: 5e5, batchSize: 8 },
  });
  return specs;
}

function observe(spec: object, noise = 1) {
  const r = forecast(spec, { calibration: truthFile() });
  return { spec, measured: { energyKWh: r.energyKWh.p50 * noise, durationS: r.durationH.p50 * 3600 } };
}

describe('non-negative least squares', () => {
  it('solves an exact system and clamps a negative unknown to zero', () => {
    expect(
      nnls(
        [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        [2, 3, 5],
      ).map((v) => +v.toFixed(9)),
    ).toEqual([2, 3]);
    const x = nnls(
      [
        [1, 0],
        [0, 1],
      ],
      [4, -1],
    );
    expect(x[0]).toBeCloseTo(4, 12);
    expect(x[1]).toBe(0);
  });
});

describe('calibration', () => {
  it('recovers known α, β, γ multipliers and θ from synthetic observations', () => {
    const file = calibrate(syntheticSpecs().map((s) => observe(s)));
    const fit = file.profiles[PROFILE];
    expect(fit.observations).toBe(8);
    expect(fit.thetaFitted).toBe(true);
    expect(fit.theta).toBeCloseTo(TRUTH.theta, 4);
    expect(fit.scale.alpha).toBeCloseTo(TRUTH.scale.alpha, 4);
    expect(fit.scale.beta).toBeCloseTo(TRUTH.scale.beta, 4);
    expect(fit.scale.gamma).toBeCloseTo(TRUTH.scale.gamma, 4);
    expect(fit.mape).toBeLessThan(1e-6);
    expect(fit.durationScale).toBeCloseTo(1, 6);
    expect(parseCalibration(JSON.parse(JSON.stringify(file)))).toEqual(file);
  });

  it('keeps θ at its default when no observation is forward-only', () => {
    const training = syntheticSpecs().filter((s) => 'training' in s);
    const fit = calibrate(training.map((s) => observe(s))).profiles[PROFILE];
    expect(fit.thetaFitted).toBe(false);
    expect(fit.theta).toBe(3);
  });

  it('turns residuals into the interval and the error it reports', () => {
    const noise = [1.1, 0.9, 1.05, 0.95, 1.2, 0.85, 1, 1.02];
    const file = calibrate(syntheticSpecs().map((s, i) => observe(s, noise[i])));
    const fit = file.profiles[PROFILE];
    expect(fit.mape).toBeGreaterThan(0.01);
    expect(fit.mape).toBeLessThan(0.2);
    expect(fit.spread.p10).toBeLessThan(1);
    expect(fit.spread.p90).toBeGreaterThan(1);
    const spec = syntheticSpecs()[0];
    const r = forecast(spec, { calibration: file });
    expect(r.calibration).toEqual({ profile: PROFILE, basis: 'profile', observations: 8, mape: fit.mape });
    expect(r.energyKWh.p90 / r.energyKWh.p50).toBeCloseTo(fit.spread.p90, 9);
    expect(r.durationH.p90 / r.durationH.p50).toBeCloseTo(fit.spread.p90, 9);
    expect(explainForecast(spec, { calibration: file }).suggestions.join('\n')).not.toMatch(/no calibration/);
  });

  it('names each bad observation by its label and path', () => {
    const good = observe(syntheticSpecs()[0]);
    try {
      calibrate(
        [
          good,
          { spec: good.spec, measured: { energyKWh: -1, durationS: 3 } },
          { spec: { ...good.spec, hardware: { profile: 'x' } }, measured: good.measured },
        ],
        ['a.json:1', 'a.json:2', 'a.json:3'],
      );
      throw new Error('expected a SpecError');
    } catch (error) {
      expect(error).toBeInstanceOf(SpecError);
      expect((error as SpecError).message.split('\n')).toEqual([
        'a.json:2.measured.energyKWh: got -1; expected a positive number',
        'a.json:3.spec.hardware.profile: got "x"; expected a profile id listed by `wattprint hardware list`',
      ]);
    }
  });

  it("fits energy-only observations: the idle term's scale becomes one more unknown", () => {
    const truth = truthFile({ idleScale: 1.7 });
    const specs = [...syntheticSpecs(), ...variedSpecs()];
    const energyOnly = specs.map((spec) => ({ spec, measured: { energyKWh: forecast(spec, { calibration: truth }).energyKWh.p50 } }));
    // Calibrate on half, forecast the other half.
    const fitted = calibrate(energyOnly.filter((_, i) => i % 2 === 0));
    const fit = fitted.profiles[PROFILE];
    expect(fit.withDuration).toBe(0);
    expect(fit.durationScale).toBe(1);
    expect(fit.mape).toBeLessThan(1e-6);
    const heldOut = energyOnly.filter((_, i) => i % 2 === 1);
    const errors = heldOut.map((o) => Math.abs(forecast(o.spec, { calibration: fitted }).energyKWh.p50 / o.measured.energyKWh - 1));
    expect(Math.max(...errors)).toBeLessThan(0.01);
    expect(forecast(heldOut[0].spec, { calibration: fitted }).assumptions).toContain(
      "calibration had no measured durations: the idle term's scale was fitted instead, durations stay uncalibrated",
    );
  });

  it('takes device-hours for the duration, as devices × wall time', () => {
    const specs = syntheticSpecs().map((spec) => ({ ...spec, hardware: { profile: PROFILE, count: 4 } }));
    const timed = specs.map((s) => observe(s));
    const byDeviceHours = timed.map((o) => ({
      spec: o.spec,
      measured: { energyKWh: o.measured.energyKWh, deviceHours: (4 * o.measured.durationS) / 3600 },
    }));
    expect(calibrate(byDeviceHours)).toEqual(calibrate(timed));
    expect(calibrate(byDeviceHours).profiles[PROFILE].withDuration).toBe(8);
  });

  it('reports the share of observations its interval covers', () => {
    const noise = [1.3, 0.7, 1.05, 0.95, 1.2, 0.85, 1, 1.02];
    const fit = calibrate(syntheticSpecs().map((s, i) => observe(s, noise[i]))).profiles[PROFILE];
    expect(fit.coverage).toBeGreaterThan(0.5);
    expect(fit.coverage).toBeLessThanOrEqual(1);
    expect(fit.coverage * 8).toBe(Math.round(fit.coverage * 8));
  });

  it('falls back to the pooled fit for a profile it has no observation of, and says so', () => {
    const file = calibrate(syntheticSpecs().map((s) => observe(s)));
    expect(file.pooled?.profiles).toEqual([PROFILE]);
    const elsewhere = { ...syntheticSpecs()[0], hardware: { profile: 'nvidia-a10' } };
    const r = forecast(elsewhere, { calibration: file });
    expect(r.calibration).toEqual({ profile: 'nvidia-a10', basis: 'pooled', observations: 8, mape: file.pooled?.mape });
    expect(r.assumptions).toContain(
      'calibration: the file has no fit for nvidia-a10; its pooled fit over 8 observations of other profiles is used',
    );
    // The pooled multipliers apply to the other profile's own defaults.
    const uncalibrated = forecast(elsewhere);
    expect(r.energyKWh.p50).not.toBeCloseTo(uncalibrated.energyKWh.p50, 6);
    const { pooled, ...noPooled } = file;
    expect(pooled).toBeDefined();
    expect(forecast(elsewhere, { calibration: noPooled }).calibration.basis).toBe('none');
  });
});

/** More shapes, so that α, β, γ and the idle term are told apart without durations. */
function variedSpecs() {
  const specs: object[] = [];
  for (const [units, depth, batch, samples] of [
    [32, 20, 8, 20_000],
    [4096, 1, 1024, 200_000],
    [256, 6, 64, 80_000],
    [96, 40, 4, 5_000],
    [2048, 2, 32, 100_000],
    [512, 10, 256, 300_000],
    [16, 60, 2, 2_000],
    [1024, 4, 128, 150_000],
  ]) {
    specs.push({
      model: {
        input: [784],
        layers: [
          { type: 'dense', units, repeat: depth, activation: 'relu' },
          { type: 'dense', units: 10 },
        ],
      },
      hardware: { profile: PROFILE },
      training: { samples, epochs: 1, batchSize: batch },
    });
  }
  return specs;
}
