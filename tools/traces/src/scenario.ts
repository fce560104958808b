import { buildNodes, SITES, type ClusterNode, type Site } from './cluster';
import type { GpuProfile } from './gpu-profile';
import { pickOwner } from './people';
import { deriveSeed, Rng } from './prng';
import { validateScenarioOptions, type ScenarioOptions } from './scenario-options';
import { gridEnd, gridFor } from './sample-grid';
import type { InferenceShape, JobKind, LoadBurst, TrainingShape, WorkloadShape } from './workload';

/** Where a job ran: devices of one node. */
export interface JobPlacement {
  node: string;
  devices: string[];
}

/** The metadata the agent would learn from the job's environment (same fields as the wire JobMetadata). */
export interface ScenarioJobMetadata {
  name: string;
  user: string;
  team: string;
  project: string;
  cluster: string;
  scheduler: 'slurm';
  schedulerJobId: string;
  labels?: Record<string, string>;
}

export interface ScenarioJob {
  id: string;
  kind: JobKind;
  metadata: ScenarioJobMetadata;
  /** First instant the job holds its devices, UTC ms (on the sample grid). */
  startMs: number;
  /** First instant it no longer holds them (exclusive), UTC ms; at most the window end. */
  endMs: number;
  /** True when the job was still running at the end of the window and is cut there. */
  truncated: boolean;
  placement: JobPlacement[];
  shape: WorkloadShape;
}

export interface Scenario {
  version: 1;
  seed: number;
  cluster: string;
  startMs: number;
  /** Last sampling instant; the window is [startMs, endMs]. */
  endMs: number;
  intervalMs: number;
  profile: GpuProfile;
  sites: Site[];
  nodes: ClusterNode[];
  jobs: ScenarioJob[];
}

export const CLUSTER_NAME = 'wattprint-sim';

/** Shares of the follow-on jobs on a device group; the first job of each group cycles through all three. */
const FOLLOW_ON_KINDS: ReadonlyArray<[number, 'training' | 'hp-search' | 'inference']> = [
  [0.5, 'training'],
  [0.3, 'hp-search'],
  [0.2, 'inference'],
];
const FIRST_KINDS = ['training', 'hp-search', 'inference'] as const;

/** Splits a node's GPUs into groups of consecutive devices, as a scheduler packs multi-GPU jobs. */
function splitIntoGroups(rng: Rng, first: number, size: number, depth = 0): Array<{ first: number; size: number }> {
  if (size <= 1 || depth >= 3 || rng.chance(depth === 0 ? 0.2 : 0.45)) return [{ first, size }];
  const half = Math.ceil(size / 2);
  return [...splitIntoGroups(rng, first, half, depth + 1), ...splitIntoGroups(rng, first + half, size - half, depth + 1)];
}

/** Plans who runs what, where and when. Pure: the seed decides everything. */
export class ScenarioPlanner {
  private readonly rng: Rng;
  private readonly jobs: ScenarioJob[] = [];
  private readonly windowStart: number;
  private readonly windowEnd: number;
  private readonly duration: number;
  private jobCounter = 0;

  constructor(private readonly options: ScenarioOptions) {
    validateScenarioOptions(options);
    this.rng = new Rng(deriveSeed(options.seed, 0x5ce7a210));
    this.windowStart = options.startMs;
    this.windowEnd = gridEnd(gridFor(options.startMs, options.durationMs, options.intervalMs));
    this.duration = this.windowEnd - this.windowStart;
  }

  plan(): Scenario {
    const nodes = buildNodes(this.options.nodes, this.options.gpusPerNode);
    const freeFrom = new Map<string, number>();
    // A data-parallel run over two whole nodes of one site comes first, so every cluster of three
    // nodes or more has a job whose energy the collector must add up across agents.
    if (nodes.length >= 3 && nodes[0].site === nodes[1].site) {
      const pair = nodes.slice(0, 2);
      const startMs = this.windowStart + this.snap(this.duration * this.rng.uniform(0, 0.05), 0);
      const end = this.addTraining(
        pair.map((node) => ({ node: node.id, devices: [...node.devices] })),
        startMs,
      );
      for (const node of pair) freeFrom.set(node.id, end + this.snap(this.duration * this.rng.uniform(0.02, 0.05), 2));
    }
    let groupIndex = 0;
    for (const node of nodes) {
      for (const group of splitIntoGroups(this.rng, 0, node.devices.length)) {
        const devices = node.devices.slice(group.first, group.first + group.size);
        this.fillGroup(node.id, devices, FIRST_KINDS[groupIndex % FIRST_KINDS.length], freeFrom.get(node.id) ?? this.windowStart);
        groupIndex++;
      }
    }
    this.jobs.sort((a, b) => a.startMs - b.startMs || a.id.localeCompare(b.id));
    return {
      version: 1,
      seed: this.options.seed,
      cluster: CLUSTER_NAME,
      startMs: this.windowStart,
      endMs: this.windowEnd,
      intervalMs: this.options.intervalMs,
      profile: this.options.profile,
      sites: SITES.map((s) => ({ ...s })),
      nodes,
      jobs: this.jobs,
    };
  }

  /** Rounds a length to whole intervals, never below `minIntervals` of them. */
  private snap(ms: number, minIntervals = 1): number {
    const interval = this.options.intervalMs;
    return Math.max(minIntervals, Math.round(ms / interval)) * interval;
  }

  /** Fills one group's timeline with idle gaps and jobs until the window is (nearly) over. */
  private fillGroup(node: string, devices: string[], firstKind: (typeof FIRST_KINDS)[number], fromMs: number): void {
    let cursor = fromMs + this.snap(this.duration * this.rng.uniform(0, 0.06), 0);
    let kind: (typeof FIRST_KINDS)[number] = firstKind;
    while (this.windowEnd - cursor >= this.duration * 0.1) {
      const end =
        kind === 'training'
          ? this.addTraining([{ node, devices }], cursor)
          : kind === 'hp-search'
            ? this.addSearch(node, devices, cursor)
            : this.addInference(node, devices, cursor);
      cursor = end + this.snap(this.duration * this.rng.uniform(0.02, 0.08), 2);
      const roll = this.rng.next();
      let acc = 0;
      kind = FOLLOW_ON_KINDS[FOLLOW_ON_KINDS.length - 1][1];
      for (const [share, k] of FOLLOW_ON_KINDS) {
        acc += share;
        if (roll < acc) {
          kind = k;
          break;
        }
      }
    }
  }

  private nextSchedulerId(): string {
    this.jobCounter++;
    return String(40_000 + this.jobCounter);
  }

  private pushJob(
    id: string,
    schedulerJobId: string,
    metadata: Omit<ScenarioJobMetadata, 'cluster' | 'scheduler' | 'schedulerJobId'>,
    placement: JobPlacement[],
    startMs: number,
    plannedEndMs: number,
    shape: WorkloadShape,
  ): number {
    const endMs = Math.min(plannedEndMs, this.windowEnd);
    this.jobs.push({
      id,
      kind: shape.kind,
      metadata: { ...metadata, cluster: CLUSTER_NAME, scheduler: 'slurm', schedulerJobId },
      startMs,
      endMs,
      truncated: plannedEndMs > this.windowEnd,
      placement,
      shape,
    });
    return endMs;
  }

  private trainingShape(kind: 'training' | 'hp-trial', epochMs: number, utilization: number): TrainingShape {
    return {
      kind,
      warmupMs: this.snap(Math.min(120_000, epochMs * this.rng.uniform(0.2, 0.4)), 2),
      epochMs,
      evalMs: this.snap(epochMs * this.rng.uniform(0.08, 0.15), 2),
      utilization,
      stepRippleMs: this.snap(this.rng.uniform(4_000, 9_000)) + this.rng.int(1, 97),
    };
  }

  /**
   * A training run. Distributed data-parallel runs span whole nodes, run hotter and a little shorter;
   * all their ranks step and evaluate together, so they share one shape.
   */
  private addTraining(placement: JobPlacement[], startMs: number): number {
    const distributed = placement.length > 1;
    const owner = pickOwner(this.rng);
    const length = this.duration * (distributed ? this.rng.uniform(0.25, 0.45) : this.rng.uniform(0.3, 0.65));
    const epochs = this.rng.int(4, distributed ? 8 : 10);
    const utilization = distributed ? this.rng.uniform(0.85, 0.97) : this.rng.uniform(0.78, 0.96);
    const shape = this.trainingShape('training', this.snap(length / epochs, 10), utilization);
    const schedulerId = this.nextSchedulerId();
    return this.pushJob(
      `train-${schedulerId}`,
      schedulerId,
      { ...owner, name: `${owner.project}-${distributed ? 'pretrain-ddp' : 'train'}` },
      placement,
      startMs,
      startMs + shape.warmupMs + epochs * shape.epochMs,
      shape,
    );
  }

  /** A hyperparameter search: every GPU of the group runs short trials one after another, with gaps. */
  private addSearch(node: string, devices: string[], startMs: number): number {
    const owner = pickOwner(this.rng);
    const searchId = this.nextSchedulerId();
    const searchEnd = startMs + this.duration * this.rng.uniform(0.3, 0.6);
    const epochMs = this.snap(this.duration / this.rng.uniform(60, 90), 6);
    const planned: Array<{ device: string; startMs: number; endMs: number; shape: TrainingShape }> = [];
    for (const device of devices) {
      let cursor = startMs + this.snap(this.rng.uniform(0, Math.min(20_000, this.duration * 0.02)), 0);
      let deviceTrials = 0;
      while (cursor < this.windowEnd) {
        // Pruned trials stop after one or two epochs; the promising ones run longer.
        const epochs = this.rng.chance(0.3) ? this.rng.int(1, 2) : this.rng.int(3, 6);
        const shape = this.trainingShape('hp-trial', epochMs, this.rng.uniform(0.55, 0.92));
        const length = shape.warmupMs + epochs * epochMs;
        if (deviceTrials > 0 && cursor + length > searchEnd) break;
        deviceTrials++;
        planned.push({ device, startMs: cursor, endMs: cursor + length, shape });
        cursor = Math.min(cursor + length, this.windowEnd) + this.snap(this.rng.uniform(10_000, 60_000), 2);
      }
    }
    // Trials are numbered in launch order, as a sweep driver would number them.
    planned.sort((a, b) => a.startMs - b.startMs || devices.indexOf(a.device) - devices.indexOf(b.device));
    let lastEnd = startMs;
    planned.forEach((trial, i) => {
      const trialId = `t${String(i + 1).padStart(2, '0')}`;
      const end = this.pushJob(
        `hpo-${searchId}-${trialId}`,
        `${searchId}_${i + 1}`,
        { ...owner, name: `${owner.project}-sweep ${trialId}`, labels: { search: `hpo-${searchId}`, trial: String(i + 1) } },
        [{ node, devices: [trial.device] }],
        trial.startMs,
        trial.endMs,
        trial.shape,
      );
      lastEnd = Math.max(lastEnd, end);
    });
    return lastEnd;
  }

  private addInference(node: string, devices: string[], startMs: number): number {
    const team = this.rng.chance(0.6) ? 'platform' : undefined;
    const owner = team ? { user: 'hana', team, project: 'model-serving' } : pickOwner(this.rng);
    const length = this.snap(this.duration * this.rng.uniform(0.4, 0.9), 10);
    const endMs = startMs + length;
    const bursts: LoadBurst[] = [];
    const burstCount = Math.max(1, Math.round((length / 3_600_000) * this.rng.uniform(4, 10)));
    for (let b = 0; b < burstCount; b++) {
      bursts.push({
        atMs: startMs + this.snap(this.rng.uniform(0, length), 0),
        durationMs: this.snap(Math.min(length / 8, this.rng.uniform(20_000, 120_000)), 2),
        extraLoad: Math.round(this.rng.uniform(0.15, 0.35) * 1000) / 1000,
      });
    }
    bursts.sort((a, b) => a.atMs - b.atMs);
    const shape: InferenceShape = {
      kind: 'inference',
      baseLoad: Math.round(this.rng.uniform(0.1, 0.25) * 1000) / 1000,
      peakLoad: Math.round(this.rng.uniform(0.55, 0.8) * 1000) / 1000,
      peakHourUtc: this.rng.int(12, 20),
      bursts,
    };
    const schedulerId = this.nextSchedulerId();
    return this.pushJob(
      `serve-${schedulerId}`,
      schedulerId,
      { ...owner, name: `${owner.project}-serve` },
      [{ node, devices }],
      startMs,
      endMs,
      shape,
    );
  }
}

export function planScenario(options: ScenarioOptions): Scenario {
  return new ScenarioPlanner(options).plan();
}
