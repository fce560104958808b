/** Numbers for people: three significant digits and a unit that keeps them readable. */

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

export function energy(kWh: number): string {
  return scaled(kWh, [
    [1e6, 'GWh'],
    [1e3, 'MWh'],
    [1, 'kWh'],
    [1e-3, 'Wh'],
    [1e-6, 'mWh'],
  ]);
}

export function mass(kg: number): string {
  return scaled(kg, [
    [1000, 't'],
    [1, 'kg'],
    [1e-3, 'g'],
    [1e-6, 'mg'],
  ]);
}

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
