import type { DeviceKind, JobMetadata, SampleSource } from '@wattprint/protocol';
import type { Logger } from '../logger';
import { OnceLogger } from '../logger';
import type { DeviceInterval } from '../sources/device-interval';
import { splitByCpuTime, splitGpuEnergy, type EnergyShare, type GpuSplitPolicy, type Holder } from './energy-split';
import { mergeMetadata, type JobIdentity } from './job-identity';
import type { ProcessJobs } from './process-jobs';

/** A sample before it gets its seq: the energy of one device for one job (or idle) over [t0, t1). */
export interface SampleDraft {
  t0: number;
  t1: number;
  device: string;
  kind: DeviceKind;
  jobId: string | null;
  energyJ: number;
  /** The device's mean power times this job's share of the energy, so the powers of a device add up too. */
  powerW: number | null;
  utilization: number | null;
  source: SampleSource;
}

export interface Attribution {
  drafts: SampleDraft[];
  /** Jobs seen on the node during this poll, with what their environment tells of them. */
  jobs: Map<string, JobMetadata>;
}

/** Turns measured device intervals into per-job samples: the glue between /proc and the pure splits. */
export class Attributor {
  private readonly once: OnceLogger;

  constructor(
    private readonly processJobs: ProcessJobs,
    private readonly policy: GpuSplitPolicy,
    log: Logger,
  ) {
    this.once = new OnceLogger(log);
  }

  async attribute(intervals: DeviceInterval[]): Promise<Attribution> {
    const jobs = new Map<string, JobMetadata>();
    const drafts: SampleDraft[] = [];
    const needsCpu = intervals.some((i) => i.processes === null && i.jobId === undefined);
    let cpu: { jobTicks: Map<string, number>; busyTicks: number | null } = { jobTicks: new Map(), busyTicks: null };
    if (needsCpu) {
      try {
        const scan = await this.processJobs.scanCpu();
        cpu = scan;
        for (const [id, job] of scan.jobs) jobs.set(id, mergeMetadata(jobs.get(id) ?? {}, job.metadata));
      } catch (error) {
        this.once.warn('proc-scan', 'cannot scan processes; CPU and DRAM energy goes to idle', { error: (error as Error).message });
      }
    }
    for (const interval of intervals) {
      let shares: EnergyShare[];
      if (interval.jobId !== undefined) {
        shares = [{ jobId: interval.jobId, energyJ: interval.energyJ }];
        // a source that names the job (a replayed trace) knows nothing else of it: say nothing, rather
        // than a guess such as scheduler "unknown" beside what a scheduler publishes
        if (interval.jobId !== null && !jobs.has(interval.jobId)) jobs.set(interval.jobId, {});
      } else if (interval.processes !== null) {
        const holders: Holder[] = [];
        for (const p of interval.processes) {
          let job: JobIdentity | null = null;
          try {
            job = await this.processJobs.jobOf(p.pid);
          } catch (error) {
            this.once.warn(`pid:${p.pid}`, 'cannot read a GPU process', { pid: p.pid, error: (error as Error).message });
          }
          if (job) jobs.set(job.jobId, mergeMetadata(jobs.get(job.jobId) ?? {}, job.metadata));
          holders.push({ jobId: job?.jobId ?? null, usedMemoryMiB: p.usedMemoryMiB });
        }
        shares = splitGpuEnergy(interval.energyJ, holders, this.policy);
      } else {
        shares =
          cpu.busyTicks === null
            ? [{ jobId: null, energyJ: interval.energyJ }]
            : splitByCpuTime(interval.energyJ, cpu.jobTicks, cpu.busyTicks);
      }
      for (const share of shares) {
        const fraction = interval.energyJ > 0 ? share.energyJ / interval.energyJ : 1 / shares.length;
        drafts.push({
          t0: interval.t0,
          t1: interval.t1,
          device: interval.device.id,
          kind: interval.device.kind,
          jobId: share.jobId,
          energyJ: share.energyJ,
          powerW: interval.powerW === null ? null : interval.powerW * fraction,
          utilization: interval.utilization === null ? null : Math.min(100, Math.max(0, interval.utilization)),
          source: interval.device.source,
        });
      }
    }
    return { drafts, jobs };
  }
}
