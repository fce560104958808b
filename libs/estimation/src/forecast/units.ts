/**
 * Numbers for people, shared by the sentences the library writes (suggestions) and the CLI's tables,
 * so that both show the same figure in the same unit: three significant digits, and a unit that keeps
 * them readable.
 */

/** Three significant digits; whole numbers with thousands separators from 1,000 up. */
export function sig(value: number): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  return Number(value.toPrecision(3)).toString();
}

function scaled(value: number, units: ReadonlyArray<readonly [number, string]>): string {
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const [factor, unit] = units.find(([f]) => abs >= f) ?? units[units.length - 1];
  return `${sig(value / factor)} ${unit}`;
}

export function formatEnergy(kWh: number): string {
  return scaled(kWh, [
    [1e6, 'GWh'],
    [1e3, 'MWh'],
    [1, 'kWh'],
    [1e-3, 'Wh'],
    [1e-6, 'mWh'],
  ]);
}

export function formatMass(kg: number): string {
  return scaled(kg, [
    [1000, 't'],
    [1, 'kg'],
    [1e-3, 'g'],
    [1e-6, 'mg'],
  ]);
}
