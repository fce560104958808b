/**
 * Every device of a scenario is sampled at the same instants: startMs + k × intervalMs for
 * k = 0 … count − 1. The last instant is the end of the window, so the trapezoids cover it exactly.
 */
export interface SampleGrid {
  startMs: number;
  intervalMs: number;
  count: number;
}

export function gridFor(startMs: number, durationMs: number, intervalMs: number): SampleGrid {
  return { startMs, intervalMs, count: Math.floor(durationMs / intervalMs) + 1 };
}

export function gridTime(grid: SampleGrid, k: number): number {
  return grid.startMs + k * grid.intervalMs;
}

export function gridEnd(grid: SampleGrid): number {
  return gridTime(grid, grid.count - 1);
}
