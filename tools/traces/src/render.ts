import { renderDeviceTrace, type DeviceSegment } from './device-trace';
import { deriveSeed, Rng } from './prng';
import { gridFor, type SampleGrid } from './sample-grid';
import type { Scenario } from './scenario';
import type { NodeTraces } from './truth';

export function scenarioGrid(scenario: Scenario): SampleGrid {
  return gridFor(scenario.startMs, scenario.endMs - scenario.startMs, scenario.intervalMs);
}

/** Each job's segments, filed under node and device. */
function segmentsByDevice(scenario: Scenario): Map<string, DeviceSegment[]> {
  const byDevice = new Map<string, DeviceSegment[]>();
  scenario.jobs.forEach((job, index) => {
    for (const placement of job.placement) {
      for (const device of placement.devices) {
        const key = `${placement.node}/${device}`;
        const list = byDevice.get(key) ?? [];
        list.push({ job: index, startMs: job.startMs, endMs: job.endMs, shape: job.shape });
        byDevice.set(key, list);
      }
    }
  });
  return byDevice;
}

/**
 * Renders every device of the scenario. Each device draws its noise from its own stream, seeded by
 * the scenario seed and its position, so traces are reproducible and independent of each other.
 */
export function renderScenario(scenario: Scenario): { grid: SampleGrid; traces: NodeTraces[] } {
  const grid = scenarioGrid(scenario);
  const byDevice = segmentsByDevice(scenario);
  const traces = scenario.nodes.map((node, n) => ({
    node: node.id,
    devices: node.devices.map((device, d) =>
      renderDeviceTrace(
        device,
        grid,
        byDevice.get(`${node.id}/${device}`) ?? [],
        scenario.profile,
        new Rng(deriveSeed(scenario.seed, n + 1, d + 1)),
      ),
    ),
  }));
  return { grid, traces };
}
