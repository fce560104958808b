import { meanIntensityOver, seriesMean, type IntensitySeries } from '../carbon/intensity';

/** 2020 industry average PUE (Uptime Institute survey), as the paper uses. */
export const DEFAULT_PUE = 1.58;
/** World average grid intensity (IEA, 2019), gCO2eq/kWh. */
export const DEFAULT_INTENSITY = 475;

export interface CarbonInputs {
  pue: number;
  /** Constant intensity, or a series with the run's start. */
  intensity: { kind: 'constant'; gPerKWh: number } | { kind: 'series'; series: IntensitySeries; region: string; startMs: number };
}

export interface CarbonSplit {
  /** gCO2eq/kWh over the hours the run (search + training) spans. */
  runGPerKWh: number;
  /** gCO2eq/kWh for inference in service: over its lifetime, the series mean. */
  serviceGPerKWh: number;
  covered: boolean;
}

export function intensities(inputs: CarbonInputs, runDurationH: number): CarbonSplit {
  if (inputs.intensity.kind === 'constant') {
    return { runGPerKWh: inputs.intensity.gPerKWh, serviceGPerKWh: inputs.intensity.gPerKWh, covered: true };
  }
  const { series, startMs } = inputs.intensity;
  const run = meanIntensityOver(series, startMs, runDurationH);
  return { runGPerKWh: run.gPerKWh, serviceGPerKWh: seriesMean(series), covered: run.covered };
}

/** kg CO2eq of IT energy (kWh) after PUE. */
export function co2eqKg(itKWh: number, pue: number, gPerKWh: number): number {
  return (itKWh * pue * gPerKWh) / 1000;
}
