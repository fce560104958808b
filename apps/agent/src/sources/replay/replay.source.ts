import { readFile } from 'node:fs/promises';
import type { Logger } from '../../logger';
import type { DeviceInterval, ProbeResult } from '../device-interval';
import type { EnergySource } from '../energy-source';
import { deviceKindOf, parseTrace, segmentEnergyJ, traceSegments, type TracePoint, type TraceSegment } from './replay-trace';

const MINUTE_MS = 60_000;
const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

/** A piece of a segment inside one minute of anchored time. */
interface Piece {
  t0: number;
  t1: number;
  energyJ: number;
}

export interface ReplayOptions {
  path: string;
  /** Trace milliseconds played per wall-clock millisecond. */
  speed: number;
  log: Logger;
}

/** t_ms from this value on are epoch milliseconds (after 2001-09-09), smaller ones offsets. */
export const EPOCH_MS_FROM = 1e12;

/**
 * Plays a trace as if its devices were on this node. A point at t_ms is reached (t_ms − first t_ms) / speed
 * after start. Samples carry the trace's own times when t_ms are epoch milliseconds (so a generated cluster
 * joins its intensity series), else start + (t_ms − first t_ms); either way energy and power are the
 * trace's own whatever the speed. Consecutive intervals of one device and job reached in one poll travel
 * as one sample, never across a minute boundary (the collector's bucket).
 */
export class ReplaySource implements EnergySource {
  readonly kind = 'replay' as const;
  private segments: TraceSegment[] = [];
  private points: TracePoint[] = [];
  private next = 0;
  private wallStart = 0;
  private traceStart = 0;
  private finishedLogged = false;

  constructor(private readonly opts: ReplayOptions) {}

  private async load(): Promise<void> {
    this.points = parseTrace(await readFile(this.opts.path, 'utf8'), this.opts.path);
    this.segments = traceSegments(this.points);
    this.traceStart = this.points.reduce((min, p) => Math.min(min, p.tMs), this.points[0]?.tMs ?? 0);
  }

  async start(startAt = Date.now()): Promise<void> {
    await this.load();
    this.wallStart = startAt;
    this.next = 0;
  }

  /** Anchored time of a trace instant, rounded to the integer milliseconds samples carry. */
  private at(tMs: number): number {
    return this.traceStart >= EPOCH_MS_FROM ? Math.round(tMs) : this.wallStart + Math.round(tMs - this.traceStart);
  }

  /** Trace time of an anchored instant: the inverse of `at` (before its rounding). */
  private traceTimeOf(anchored: number): number {
    return this.traceStart >= EPOCH_MS_FROM ? anchored : this.traceStart + (anchored - this.wallStart);
  }

  /**
   * A segment cut at every minute boundary of anchored time it spans, each piece's energy the exact
   * trapezoid over it: no sample leaves a minute (the collector's bucket), so nothing has to be
   * shared out by time, which for a ramp of power would move energy between minutes and hours.
   */
  private minutePieces(s: TraceSegment): Piece[] {
    const t0 = this.at(s.t0);
    const t1 = this.at(s.t1);
    if (t1 <= t0) return []; // sub-millisecond segment: too short to carry; rare in real traces
    if (t1 <= minuteOf(t0) + MINUTE_MS) return [{ t0, t1, energyJ: s.energyJ }];
    const pieces: Piece[] = [];
    let from = t0;
    let fromTrace = s.t0;
    while (from < t1) {
      const to = Math.min(t1, minuteOf(from) + MINUTE_MS);
      const toTrace = to === t1 ? s.t1 : Math.min(s.t1, Math.max(fromTrace, this.traceTimeOf(to)));
      pieces.push({ t0: from, t1: to, energyJ: segmentEnergyJ(s, fromTrace, toTrace) });
      from = to;
      fromTrace = toTrace;
    }
    return pieces;
  }

  async poll(now: number): Promise<DeviceInterval[]> {
    const reached = this.traceStart + (now - this.wallStart) * this.opts.speed;
    const open = new Map<string, DeviceInterval>();
    const out: DeviceInterval[] = [];
    while (this.next < this.segments.length && this.segments[this.next].t1 <= reached) {
      const s = this.segments[this.next++];
      const key = `${s.device}\u0000${s.jobId ?? ''}`;
      for (const piece of this.minutePieces(s)) {
        const sample = open.get(key);
        // Consecutive pieces of one device and one job within a poll travel as one sample, inside one minute.
        if (sample && sample.t1 === piece.t0 && minuteOf(sample.t0) === minuteOf(piece.t0)) {
          sample.t1 = piece.t1;
          sample.energyJ += piece.energyJ;
          continue;
        }
        const interval: DeviceInterval = {
          device: { id: s.device, kind: deviceKindOf(s.device), name: s.device, uuid: null, source: 'replay' },
          t0: piece.t0,
          t1: piece.t1,
          energyJ: piece.energyJ,
          powerW: null,
          utilization: null,
          memoryUsedMiB: null,
          processes: null,
          jobId: s.jobId,
        };
        open.set(key, interval);
        out.push(interval);
      }
    }
    for (const i of out) i.powerW = i.energyJ / ((i.t1 - i.t0) / 1000);
    if (this.next >= this.segments.length && !this.finishedLogged) {
      this.finishedLogged = true;
      this.opts.log.info('replay finished', { path: this.opts.path, segments: this.segments.length });
    }
    return out;
  }

  get finished(): boolean {
    return this.next >= this.segments.length;
  }

  async probe(): Promise<ProbeResult> {
    try {
      await this.load();
    } catch (error) {
      return { devices: [], problems: [`replay: ${(error as Error).message}`] };
    }
    const first = new Map<string, TracePoint>();
    for (const p of this.points) if (!first.has(p.device)) first.set(p.device, p);
    return {
      devices: [...first.values()].map((p) => ({
        id: p.device,
        kind: deviceKindOf(p.device),
        name: p.device,
        uuid: null,
        source: 'replay' as const,
        powerW: p.powerW,
        utilization: null,
        memoryUsedMiB: null,
      })),
      problems: [],
    };
  }

  async stop(): Promise<void> {
    this.segments = [];
  }
}
