import { jobOfProcess, parseEnviron, type JobIdentity } from './job-identity';
import type { ProcReader } from './proc-reader';

export interface CpuTimeByJob {
  /** CPU ticks each job's processes used since the previous scan. */
  jobTicks: Map<string, number>;
  /** Busy ticks of the whole machine since the previous scan; null on the first scan. */
  busyTicks: number | null;
  jobs: Map<string, JobIdentity>;
}

interface Known {
  startTime: number;
  job: JobIdentity | null;
  cpuTicks: number;
}

/**
 * Which job each process belongs to, read once per process (a pid is known by pid and start time, so a
 * reused pid is read again), and the CPU time of job processes between scans for the CPU/DRAM split.
 * Processes of no job are remembered too, so a scan reads only the stat of new and job processes.
 */
export class ProcessJobs {
  private readonly known = new Map<number, Known>();
  private lastBusy: number | null = null;

  constructor(private readonly proc: ProcReader) {}

  private async identify(pid: number, startTime: number, cpuTicks: number): Promise<Known> {
    const [environ, cgroup] = await Promise.all([this.proc.environ(pid), this.proc.cgroup(pid)]);
    const known = { startTime, cpuTicks, job: jobOfProcess(environ === null ? null : parseEnviron(environ), cgroup) };
    this.known.set(pid, known);
    return known;
  }

  /** The job of one process (a GPU holder), or null for a process of no job or one already gone. */
  async jobOf(pid: number): Promise<JobIdentity | null> {
    const stat = await this.proc.stat(pid);
    if (!stat) return null;
    const known = this.known.get(pid);
    if (known && known.startTime === stat.startTime) return known.job;
    return (await this.identify(pid, stat.startTime, stat.cpuTicks)).job;
  }

  /** Walks every process: CPU ticks per job since the previous scan. */
  async scanCpu(): Promise<CpuTimeByJob> {
    const pids = await this.proc.pids();
    const alive = new Set(pids);
    for (const pid of this.known.keys()) if (!alive.has(pid)) this.known.delete(pid);
    const jobTicks = new Map<string, number>();
    const jobs = new Map<string, JobIdentity>();
    for (const pid of pids) {
      const known = this.known.get(pid);
      if (known && known.job === null) continue; // no job: its CPU time is the system's, counted in busy ticks
      const stat = await this.proc.stat(pid);
      if (!stat) continue;
      let delta = 0;
      let current = known;
      if (!current || current.startTime !== stat.startTime) {
        current = await this.identify(pid, stat.startTime, stat.cpuTicks);
      } else {
        delta = Math.max(0, stat.cpuTicks - current.cpuTicks);
        current.cpuTicks = stat.cpuTicks;
      }
      if (!current.job) continue;
      jobs.set(current.job.jobId, current.job);
      jobTicks.set(current.job.jobId, (jobTicks.get(current.job.jobId) ?? 0) + delta);
    }
    const busy = await this.proc.busyTicks();
    const busyTicks = busy !== null && this.lastBusy !== null ? Math.max(0, busy - this.lastBusy) : null;
    this.lastBusy = busy;
    return { jobTicks, busyTicks, jobs };
  }
}
