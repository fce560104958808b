import type { Scenario } from './scenario';
import { gridTime, type SampleGrid } from './sample-grid';
import type { NodeTraces } from './truth';

/** The replay format the agent reads (issue 4): one line per device per instant, empty job_id = idle. */
export const TRACE_HEADER = 't_ms,device,power_w,job_id';

/** Centiwatts as an exact two-decimal watt figure; no float formatting, so no rounding surprises. */
export function formatCentiwatts(cw: number): string {
  const whole = Math.floor(cw / 100);
  const cents = cw - whole * 100;
  return `${whole}.${cents < 10 ? '0' : ''}${cents}`;
}

/**
 * Yields the node's CSV in pieces of about `linesPerChunk` lines, instant by instant and device by
 * device within an instant, so a day-long trace never has to sit in memory as one string.
 */
export function* traceCsvChunks(scenario: Scenario, grid: SampleGrid, node: NodeTraces, linesPerChunk = 20_000): Generator<string> {
  const jobIds = scenario.jobs.map((j) => j.id);
  let lines: string[] = [TRACE_HEADER];
  for (let k = 0; k < grid.count; k++) {
    const t = gridTime(grid, k);
    for (const device of node.devices) {
      const job = device.job[k];
      lines.push(`${t},${device.device},${formatCentiwatts(device.powerCw[k])},${job < 0 ? '' : jobIds[job]}`);
    }
    if (lines.length >= linesPerChunk) {
      yield `${lines.join('\n')}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join('\n')}\n`;
}
