import { trapezoidJ } from './energy-math';

export interface EnergySpan {
  t0: number;
  t1: number;
  energyJ: number;
}

/**
 * Integrates power readings into energy by the trapezoid between consecutive readings. A gap longer than
 * `maxGapMs` (a restarted nvidia-smi, a stalled driver) is left unmeasured, so it shows as a gap downstream.
 */
export class PowerIntegrator {
  private last: { t: number; w: number } | null = null;
  private open: EnergySpan | null = null;
  private closed: EnergySpan[] = [];

  constructor(private readonly maxGapMs: number) {}

  add(t: number, powerW: number): void {
    const last = this.last;
    if (last && t <= last.t) return; // out of order or duplicate: the earlier reading stands
    if (last && t - last.t <= this.maxGapMs) {
      const energyJ = trapezoidJ(last.w, powerW, t - last.t);
      if (this.open) {
        this.open.t1 = t;
        this.open.energyJ += energyJ;
      } else {
        this.open = { t0: last.t, t1: t, energyJ };
      }
    } else if (this.open) {
      this.closed.push(this.open);
      this.open = null;
    }
    this.last = { t, w: powerW };
  }

  /** Hands over every span measured since the previous call; the next span starts where this one ended. */
  take(): EnergySpan[] {
    const out = this.open ? [...this.closed, this.open] : this.closed;
    this.closed = [];
    this.open = null;
    return out;
  }
}
