import { readFileSync } from 'node:fs';

/**
 * An independent reader of the replay CSV, written from the format's description rather than from
 * the generator's code, so the tests check the files and not the generator against itself.
 */
export interface TraceLine {
  t: number;
  device: string;
  /** The power text as written, e.g. "69.83". */
  powerText: string;
  jobId: string | null;
}

export function readTrace(path: string): TraceLine[] {
  const text = readFileSync(path, 'utf8');
  if (!text.endsWith('\n')) throw new Error(`${path}: last line is not terminated`);
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== 't_ms,device,power_w,job_id') throw new Error(`${path}: bad header ${lines[0]}`);
  return lines.slice(1).map((line, i) => {
    const match = /^(\d+),(gpu\d+),(\d+\.\d\d),([A-Za-z0-9._:@-]*)$/.exec(line);
    if (!match) throw new Error(`${path}:${i + 2}: malformed line ${JSON.stringify(line)}`);
    return { t: Number(match[1]), device: match[2], powerText: match[3], jobId: match[4] === '' ? null : match[4] };
  });
}

export function byDevice(lines: readonly TraceLine[]): Map<string, TraceLine[]> {
  const map = new Map<string, TraceLine[]>();
  for (const line of lines) {
    const list = map.get(line.device) ?? [];
    list.push(line);
    map.set(line.device, list);
  }
  return map;
}

/** Watts × 100 as an exact integer, from the text: "69.83" → 6983. */
export function centiwatts(powerText: string): bigint {
  const [whole, cents] = powerText.split('.');
  return BigInt(whole) * 100n + BigInt(cents);
}

/** Per (device, job) sums, two ways: plain float64 in time order, and exact in units of 1/200 000 J. */
export interface Integral {
  floatJ: Map<string, number>;
  exactUnits: Map<string, bigint>;
}

export const IDLE = '(idle)';

export function integrate(lines: readonly TraceLine[]): Map<string, Integral> {
  const result = new Map<string, Integral>();
  for (const [device, points] of byDevice(lines)) {
    const integral: Integral = { floatJ: new Map(), exactUnits: new Map() };
    for (let k = 0; k + 1 < points.length; k++) {
      const a = points[k];
      const b = points[k + 1];
      const key = a.jobId ?? IDLE;
      const joules = ((Number(a.powerText) + Number(b.powerText)) / 2) * ((b.t - a.t) / 1000);
      integral.floatJ.set(key, (integral.floatJ.get(key) ?? 0) + joules);
      const units = (centiwatts(a.powerText) + centiwatts(b.powerText)) * BigInt(b.t - a.t);
      integral.exactUnits.set(key, (integral.exactUnits.get(key) ?? 0n) + units);
    }
    result.set(device, integral);
  }
  return result;
}

export function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}
