import type { DeviceTrace } from './device-trace';
import { ExactEnergy, unitsToJoules } from './exact-energy';
import type { Scenario } from './scenario';
import type { SampleGrid } from './sample-grid';

export interface DeviceTruth {
  totalJ: number;
  idleJ: number;
  /** Energy per job id that held this device. */
  jobs: Record<string, number>;
}

export interface NodeTruth {
  totalJ: number;
  idleJ: number;
  jobs: Record<string, number>;
  devices: Record<string, DeviceTruth>;
}

export interface JobTruth {
  energyJ: number;
  /** Energy per node the job ran on. */
  nodes: Record<string, number>;
}

/** What every consumer of the traces must find: the exact energy integral, in joules. */
export interface Truth {
  version: 1;
  unit: 'J';
  rule: string;
  clusterJ: number;
  idleJ: number;
  jobs: Record<string, JobTruth>;
  nodes: Record<string, NodeTruth>;
}

export const TRUTH_RULE =
  'For consecutive lines k, k+1 of the same device: E = (P_k + P_k+1) / 2 * (t_k+1 - t_k) / 1000 J, ' +
  'attributed to the job_id of line k (idle when empty). Readings are exact 0.01 W values and times ' +
  'integer ms, so every total here is the exact sum of its intervals, rounded once to the nearest float64 ' +
  '(independent of summation order).';

/** The node's traces: one per device, all on the scenario grid. */
export interface NodeTraces {
  node: string;
  devices: DeviceTrace[];
}

/** Exact per-device sums keyed by job index (−1 = idle). */
function integrateDevice(grid: SampleGrid, trace: DeviceTrace): Map<number, ExactEnergy> {
  const buckets = new Map<number, ExactEnergy>();
  const { powerCw, job } = trace;
  let current = -2;
  let bucket: ExactEnergy | undefined;
  for (let k = 0; k + 1 < grid.count; k++) {
    if (job[k] !== current) {
      current = job[k];
      bucket = buckets.get(current);
      if (!bucket) {
        bucket = new ExactEnergy();
        buckets.set(current, bucket);
      }
    }
    (bucket as ExactEnergy).addInterval(powerCw[k], powerCw[k + 1], grid.intervalMs);
  }
  return buckets;
}

function sumUnits(values: Iterable<bigint>): bigint {
  let total = 0n;
  for (const v of values) total += v;
  return total;
}

/** Integrates every device of every node; all sums are exact integers until the final conversion. */
export function computeTruth(scenario: Scenario, grid: SampleGrid, traces: readonly NodeTraces[]): Truth {
  const jobUnits = scenario.jobs.map(() => new Map<string, bigint>());
  const nodes: Record<string, NodeTruth> = {};
  let clusterUnits = 0n;
  let idleUnits = 0n;
  for (const nodeTraces of traces) {
    const devices: Record<string, DeviceTruth> = {};
    const nodeJobUnits = new Map<number, bigint>();
    let nodeTotal = 0n;
    let nodeIdle = 0n;
    for (const trace of nodeTraces.devices) {
      const buckets = integrateDevice(grid, trace);
      const jobs: Record<string, number> = {};
      let deviceIdle = 0n;
      for (const [jobIndex, bucket] of [...buckets].sort((a, b) => a[0] - b[0])) {
        const units = bucket.units();
        if (jobIndex < 0) {
          deviceIdle = units;
          continue;
        }
        jobs[scenario.jobs[jobIndex].id] = unitsToJoules(units);
        nodeJobUnits.set(jobIndex, (nodeJobUnits.get(jobIndex) ?? 0n) + units);
        const perNode = jobUnits[jobIndex];
        perNode.set(nodeTraces.node, (perNode.get(nodeTraces.node) ?? 0n) + units);
      }
      const deviceTotal = sumUnits([...buckets.values()].map((b) => b.units()));
      devices[trace.device] = { totalJ: unitsToJoules(deviceTotal), idleJ: unitsToJoules(deviceIdle), jobs };
      nodeTotal += deviceTotal;
      nodeIdle += deviceIdle;
    }
    const jobs: Record<string, number> = {};
    for (const [jobIndex, units] of [...nodeJobUnits].sort((a, b) => a[0] - b[0])) {
      jobs[scenario.jobs[jobIndex].id] = unitsToJoules(units);
    }
    nodes[nodeTraces.node] = { totalJ: unitsToJoules(nodeTotal), idleJ: unitsToJoules(nodeIdle), jobs, devices };
    clusterUnits += nodeTotal;
    idleUnits += nodeIdle;
  }
  const jobs: Record<string, JobTruth> = {};
  scenario.jobs.forEach((job, index) => {
    const perNode = jobUnits[index];
    jobs[job.id] = {
      energyJ: unitsToJoules(sumUnits(perNode.values())),
      nodes: Object.fromEntries([...perNode].map(([node, units]) => [node, unitsToJoules(units)])),
    };
  });
  return { version: 1, unit: 'J', rule: TRUTH_RULE, clusterJ: unitsToJoules(clusterUnits), idleJ: unitsToJoules(idleUnits), jobs, nodes };
}
