/** Energy in joules of a power that moved linearly from `p0` to `p1` watts over `dtMs` milliseconds. */
export function trapezoidJ(p0: number, p1: number, dtMs: number): number {
  return ((p0 + p1) / 2) * (dtMs / 1000);
}

/**
 * Increase of a counter that wraps to zero after `range` (RAPL `max_energy_range_uj`). One wrap at most
 * between two reads: RAPL ranges take minutes to hours to wrap, and we read every second.
 */
export function wrappingDelta(previous: number, current: number, range: number): number {
  return current >= previous ? current - previous : range - previous + current;
}
