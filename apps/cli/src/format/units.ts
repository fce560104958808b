/** Numbers for people: three significant digits and a unit that keeps them readable. */
import { formatEnergy, formatMass, sig } from '@wattprint/estimation';

// Energy and mass come from the library, which writes them into its suggestions: one unit rule for both.
export { sig };
export const energy = formatEnergy;
export const mass = formatMass;

export function duration(hours: number): string {
  const s = hours * 3600;
  if (s < 60) return `${sig(s)} s`;
  if (s < 3600) return `${sig(s / 60)} min`;
  if (hours < 48) return `${sig(hours)} h`;
  return `${sig(hours / 24)} days`;
}

/** A count with an SI prefix once it is large: `4.97 MFLOPs`, `320 FLOPs`, `34,826`. */
export function count(n: number, unit = ''): string {
  const tail = (prefix: string) => (unit ? ` ${prefix}${unit}` : prefix ? ` ${prefix}` : '');
  if (Math.abs(n) >= 1e12) return `${sig(n / 1e12)}${tail('T')}`;
  if (Math.abs(n) >= 1e9) return `${sig(n / 1e9)}${tail('G')}`;
  if (Math.abs(n) >= 1e6) return `${sig(n / 1e6)}${tail('M')}`;
  return `${sig(n)}${tail('')}`;
}

export function percent(share: number): string {
  return `${sig(share * 100)} %`;
}
