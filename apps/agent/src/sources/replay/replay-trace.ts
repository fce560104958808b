import { trapezoidJ } from '../../energy/energy-math';

/**
 * Trace files: CSV lines `t_ms,device,power_w[,job_id]`, an optional header line first. The energy of a
 * trace is the trapezoid between consecutive points of the same device: (p0 + p1) / 2 × (t1 − t0), and the
 * job of that interval is the job of its starting point (an empty job_id means idle).
 */
export interface TracePoint {
  tMs: number;
  device: string;
  powerW: number;
  jobId: string | null;
  line: number;
}

export interface TraceSegment {
  device: string;
  t0: number;
  t1: number;
  energyJ: number;
  jobId: string | null;
  /** Power at t0 and at t1: the trapezoid's sides, to split it exactly at any instant between. */
  powerW0: number;
  powerW1: number;
}

/**
 * The part of a segment between `from` and `to` (t0 ≤ from < to ≤ t1): the trapezoid under the
 * straight line between its two points, so the parts of a segment add up to its energy.
 */
export function segmentEnergyJ(s: TraceSegment, from: number, to: number): number {
  const powerAt = (t: number) => s.powerW0 + ((s.powerW1 - s.powerW0) * (t - s.t0)) / (s.t1 - s.t0);
  return trapezoidJ(powerAt(from), powerAt(to), to - from);
}

export class TraceError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`trace ${path}: ${problems.length} bad line(s):\n  ${problems.slice(0, 20).join('\n  ')}`);
    this.name = 'TraceError';
  }
}

const HEADER = /^\s*t_ms\s*,\s*device\s*,\s*power_w\s*(,\s*job_id\s*)?$/;

/** Parses a whole trace, collecting every bad line (with its number, the value and what was expected). */
export function parseTrace(text: string, path = '(trace)'): TracePoint[] {
  const points: TracePoint[] = [];
  const problems: string[] = [];
  const lastT = new Map<string, number>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '' || (i === 0 && HEADER.test(raw))) return;
    const cells = raw.split(',').map((c) => c.trim());
    if (cells.length < 3 || cells.length > 4) {
      problems.push(`line ${line}: expected t_ms,device,power_w[,job_id], got ${JSON.stringify(raw.slice(0, 80))}`);
      return;
    }
    const [tText, device, pText, jobText] = cells;
    const tMs = Number(tText);
    const powerW = Number(pText);
    if (tText === '' || !Number.isFinite(tMs) || tMs < 0)
      problems.push(`line ${line}: t_ms: expected a non-negative number of milliseconds, got ${JSON.stringify(tText)}`);
    if (device === '' || /\s/.test(device))
      problems.push(`line ${line}: device: expected a device id without spaces, got ${JSON.stringify(device)}`);
    if (pText === '' || !Number.isFinite(powerW) || powerW < 0)
      problems.push(`line ${line}: power_w: expected a non-negative number of watts, got ${JSON.stringify(pText)}`);
    const previous = lastT.get(device);
    if (previous !== undefined && Number.isFinite(tMs) && tMs <= previous) {
      problems.push(`line ${line}: t_ms: expected a time after ${previous} for device ${device}, got ${tMs}`);
    }
    if (Number.isFinite(tMs)) lastT.set(device, Math.max(tMs, previous ?? -Infinity));
    points.push({ tMs, device, powerW, jobId: jobText ? jobText : null, line });
  });
  if (problems.length > 0) throw new TraceError(path, problems);
  return points;
}

/** The trapezoid segments of a trace, in the order their end points are reached. */
export function traceSegments(points: TracePoint[]): TraceSegment[] {
  const previous = new Map<string, TracePoint>();
  const segments: TraceSegment[] = [];
  for (const p of points) {
    const before = previous.get(p.device);
    if (before) {
      segments.push({
        device: p.device,
        t0: before.tMs,
        t1: p.tMs,
        energyJ: trapezoidJ(before.powerW, p.powerW, p.tMs - before.tMs),
        jobId: before.jobId,
        powerW0: before.powerW,
        powerW1: p.powerW,
      });
    }
    previous.set(p.device, p);
  }
  return segments.sort((a, b) => a.t1 - b.t1);
}

export function deviceKindOf(device: string): 'gpu' | 'cpu' | 'dram' {
  if (/^dram/i.test(device)) return 'dram';
  if (/^(cpu|package)/i.test(device)) return 'cpu';
  return 'gpu';
}
