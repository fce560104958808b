import type { Precision } from '../spec/spec.schema';
import { HARDWARE_CATALOGUE } from './hardware.catalogue';
import type { HardwareProfile } from './hardware.types';

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
