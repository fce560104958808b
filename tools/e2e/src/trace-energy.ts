/**
 * The energy a replay trace holds, integrated again from the CSV by the rule the agent and truth.json
 * share: for consecutive points a, b of one device, (P_a + P_b) / 2 × (t_b − t_a) / 1000 J, booked to
 * the job of a (idle when empty). Written from the format alone, so the suite does not check the
 * system against its own code.
 *
 * Readings have two decimals and times are integer ms, so each interval is an integer number of
 * 1/200 000 J (centiwatt-sum × ms): sums are exact integers, divided once at the end.
 */

/** Units of 1/200 000 J per joule. */
const UNITS_PER_J = 200_000;

/** Idle energy's job key, as truth.json and the collector's buckets book it apart from jobs. */
export const IDLE = '';

export interface TraceInterval {
  device: string;
  t0: number;
  t1: number;
  /** IDLE for idle. */
  jobId: string;
  units: number;
}

export class TraceFormatError extends Error {
  constructor(
    readonly line: number,
    readonly field: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`trace line ${line}: ${field}: got ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'TraceFormatError';
  }
}

function centiwatts(text: string, line: number): number {
  if (!/^\d+(\.\d{1,2})?$/.test(text)) throw new TraceFormatError(line, 'power_w', text, 'watts with at most two decimals');
  const [whole, frac = ''] = text.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

/** Every interval of a trace CSV (`t_ms,device,power_w,job_id`), in file order per device. */
export function traceIntervals(csv: string): TraceInterval[] {
  const last = new Map<string, { t: number; cw: number; jobId: string }>();
  const out: TraceInterval[] = [];
  const lines = csv.split('\n');
  lines.forEach((raw, i) => {
    const text = raw.trim();
    if (text === '' || (i === 0 && text.startsWith('t_ms'))) return;
    const [tText, device, pText, jobId = ''] = text.split(',');
    const t = Number(tText);
    if (!Number.isSafeInteger(t)) throw new TraceFormatError(i + 1, 't_ms', tText, 'an integer number of milliseconds');
    if (!device) throw new TraceFormatError(i + 1, 'device', device ?? '', 'a device id');
    const cw = centiwatts(pText ?? '', i + 1);
    const before = last.get(device);
    if (before) {
      if (t <= before.t) throw new TraceFormatError(i + 1, 't_ms', tText, `a time after ${before.t} for ${device}`);
      out.push({ device, t0: before.t, t1: t, jobId: before.jobId, units: (before.cw + cw) * (t - before.t) });
    }
    last.set(device, { t, cw, jobId });
  });
  return out;
}

/** Energy in joules by job (IDLE for idle), by device, by job and device, and in all. */
export interface EnergyLedger {
  totalJ: number;
  byJob: Map<string, number>;
  byDevice: Map<string, number>;
  /** Key `${jobId}\u0000${device}`. */
  byJobDevice: Map<string, number>;
}

export const jobDeviceKey = (jobId: string, device: string): string => `${jobId}\u0000${device}`;

/** Sums the intervals `keep` accepts (all by default): the energy that was delivered, exactly. */
export function ledgerOf(intervals: readonly TraceInterval[], keep: (i: TraceInterval) => boolean = () => true): EnergyLedger {
  let total = 0;
  const byJob = new Map<string, number>();
  const byDevice = new Map<string, number>();
  const byJobDevice = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const i of intervals) {
    if (!keep(i)) continue;
    total += i.units;
    add(byJob, i.jobId, i.units);
    add(byDevice, i.device, i.units);
    add(byJobDevice, jobDeviceKey(i.jobId, i.device), i.units);
  }
  const joules = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, v / UNITS_PER_J]));
  return { totalJ: total / UNITS_PER_J, byJob: joules(byJob), byDevice: joules(byDevice), byJobDevice: joules(byJobDevice) };
}

/**
 * What an agent that crashed delivers of a trace: the intervals ending by `deliveredUntil` (the end
 * of the last sample that reached the collector before the crash) and those starting at or after
 * `resumedAt` (the first point of the trace the restarted agent replays). Nothing else.
 */
export function deliveredAcrossCrash(deliveredUntil: number, resumedAt: number): (i: TraceInterval) => boolean {
  return (i) => i.t1 <= deliveredUntil || i.t0 >= resumedAt;
}

/** |a − b| / |b|, with 0 when both are 0. */
export function relativeError(actual: number, expected: number): number {
  if (expected === 0) return actual === 0 ? 0 : Infinity;
  return Math.abs(actual - expected) / Math.abs(expected);
}
