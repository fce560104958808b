/**
 * Splitting one device's energy among jobs. Pure functions: the shares always add up to the energy given,
 * so node totals stay exact; whatever no job holds goes to jobId null (idle).
 */
export type GpuSplitPolicy = 'memory' | 'equal';

export interface Holder {
  /** Null for a process that belongs to no job (a desktop, a stray tool): its share is idle energy. */
  jobId: string | null;
  usedMemoryMiB: number | null;
}

export interface EnergyShare {
  jobId: string | null;
  energyJ: number;
}

/** Hands `energyJ` out by weight; the last share takes the rounding remainder, so the sum is exact. */
export function distribute(energyJ: number, weights: Array<[string | null, number]>): EnergyShare[] {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  if (weights.length === 0 || total <= 0) return [{ jobId: null, energyJ }];
  const out: EnergyShare[] = [];
  let given = 0;
  weights.forEach(([jobId, w], i) => {
    const e = i === weights.length - 1 ? Math.max(0, energyJ - given) : (energyJ * w) / total;
    given += e;
    out.push({ jobId, energyJ: e });
  });
  return out;
}

/**
 * A GPU's energy among the jobs of the processes on it: by device memory held (the default), or equally per
 * job. Memory falls back to equal when any holder's memory is unknown (Windows, MIG) or all hold none.
 */
export function splitGpuEnergy(energyJ: number, holders: Holder[], policy: GpuSplitPolicy): EnergyShare[] {
  if (holders.length === 0) return [{ jobId: null, energyJ }];
  const byJob = new Map<string | null, number>();
  const useMemory =
    policy === 'memory' && holders.every((h) => h.usedMemoryMiB !== null) && holders.some((h) => (h.usedMemoryMiB ?? 0) > 0);
  for (const h of holders) byJob.set(h.jobId, (byJob.get(h.jobId) ?? 0) + (useMemory ? (h.usedMemoryMiB ?? 0) : 0));
  if (!useMemory) for (const k of byJob.keys()) byJob.set(k, 1);
  return distribute(energyJ, [...byJob.entries()]);
}

/**
 * CPU or DRAM energy by each job's share of the busy CPU time over the interval; the rest (the system,
 * processes of no job, and idle power) is idle energy.
 */
export function splitByCpuTime(energyJ: number, jobTicks: Map<string, number>, busyTicks: number): EnergyShare[] {
  const jobs = [...jobTicks.entries()].filter(([, t]) => t > 0);
  const jobTotal = jobs.reduce((s, [, t]) => s + t, 0);
  if (jobTotal <= 0) return [{ jobId: null, energyJ }];
  const denominator = Math.max(busyTicks, jobTotal);
  const weights: Array<[string | null, number]> = jobs.map(([id, t]) => [id, t]);
  if (denominator > jobTotal) weights.push([null, denominator - jobTotal]);
  return distribute(energyJ, weights);
}
