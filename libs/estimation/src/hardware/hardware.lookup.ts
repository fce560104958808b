import type { Precision } from '../spec/spec.schema';
import { HARDWARE_CATALOGUE, SMALL_TRANSFORMER_PARAMS } from './hardware.catalogue';
import type { HardwareProfile, Sourced } from './hardware.types';

const BY_ID = new Map(HARDWARE_CATALOGUE.map((p) => [p.id, p]));

export function listHardware(): readonly HardwareProfile[] {
  return HARDWARE_CATALOGUE;
}

export function findHardware(id: string): HardwareProfile | undefined {
  return BY_ID.get(id);
}

export const BYTES_PER_ELEMENT: Record<Precision, number> = { fp32: 4, tf32: 4, fp16: 2, bf16: 2, fp8: 1 };

/** The precisions a profile can run, in catalogue order. */
export function precisionsOf(profile: HardwareProfile): Precision[] {
  return Object.keys(profile.peakFlops) as Precision[];
}

/**
 * The precision transformers are trained in on a device: bf16 where it has it, else fp16 (the
 * mixed-precision training of every published large run), else its default.
 */
export function mixedPrecision(profile: HardwareProfile): Precision {
  if (profile.peakFlops.bf16) return 'bf16';
  if (profile.peakFlops.fp16) return 'fp16';
  return profile.defaultPrecision;
}

/** The utilisation default for a transformer of `params` parameters (undefined: size unknown, the large figure). */
export function transformerUtilization(profile: HardwareProfile, params: number | undefined): { figure: Sourced; why: string } {
  const { large, small } = profile.transformerUtilization;
  if (small && params !== undefined && params < SMALL_TRANSFORMER_PARAMS) {
    return { figure: small, why: ` for a transformer under ${SMALL_TRANSFORMER_PARAMS / 1e9} B parameters on ${profile.generation}` };
  }
  return { figure: large, why: ` for transformer training on ${profile.generation}` };
}
