import type { DeviceKind, SampleSource } from '@wattprint/protocol';

/** A device as a source names it. `id` is stable on the node (`gpu0`, `cpu0`, `dram0`). */
export interface DeviceInfo {
  id: string;
  kind: DeviceKind;
  name: string;
  uuid: string | null;
  source: SampleSource;
}

/** A process that holds a device, as the device reports it. */
export interface DeviceProcess {
  pid: number;
  /** Device memory the process holds; null where the driver does not report it (Windows, MIG). */
  usedMemoryMiB: number | null;
  name?: string;
}

/**
 * The energy one device used over [t0, t1) as measured by its source, before attribution to jobs.
 * Values a device does not report are null, never 0.
 */
export interface DeviceInterval {
  device: DeviceInfo;
  t0: number;
  t1: number;
  energyJ: number;
  powerW: number | null;
  utilization: number | null;
  memoryUsedMiB: number | null;
  /** Processes on the device; null when the source cannot tell (CPU, DRAM: split by CPU time instead). */
  processes: DeviceProcess[] | null;
  /** The job a trace names directly (replay); undefined when attribution must find it. */
  jobId?: string | null;
}

/** One current reading of a device, for `probe`. */
export interface DeviceReading {
  id: string;
  kind: DeviceKind;
  name: string;
  uuid: string | null;
  source: SampleSource;
  powerW: number | null;
  utilization: number | null;
  memoryUsedMiB: number | null;
}

export interface ProbeResult {
  devices: DeviceReading[];
  problems: string[];
}
