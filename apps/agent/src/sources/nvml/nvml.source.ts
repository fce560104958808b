import { trapezoidJ } from '../../energy/energy-math';
import type { Logger } from '../../logger';
import { OnceLogger } from '../../logger';
import type { DeviceInfo, DeviceInterval, DeviceProcess, ProbeResult } from '../device-interval';
import type { EnergySource } from '../energy-source';
import { NvmlError, NvmlLibrary, NvmlReturn, type NvmlHandle } from './nvml-library';

export interface NvmlOptions {
  libraryPath: string;
  log: Logger;
  /** Called when a GPU's power or energy counter cannot be read (for the agent's metrics). */
  onError?: () => void;
}

interface GpuState {
  info: DeviceInfo;
  handle: NvmlHandle;
  /** False on cards without the energy counter (before Volta): power is integrated instead. */
  counter: boolean;
  last: { t: number; energyMj: number | null; powerW: number } | null;
  /** Bumped each time the counter goes backwards (driver reload): readings of two epochs never subtract. */
  epoch: number;
}

const MIB = 1024 * 1024;

/**
 * GPUs through NVML: exact energy from the total energy counter (mJ since the driver loaded), power,
 * utilisation, memory and the compute processes on each GPU.
 */
export class NvmlSource implements EnergySource {
  readonly kind = 'nvml' as const;
  private lib: NvmlLibrary | null = null;
  private gpus: GpuState[] = [];
  private readonly once: OnceLogger;

  constructor(private readonly opts: NvmlOptions) {
    this.once = new OnceLogger(opts.log);
  }

  get devices(): ReadonlyArray<{ id: string; epoch: number }> {
    return this.gpus.map((g) => ({ id: g.info.id, epoch: g.epoch }));
  }

  async start(): Promise<void> {
    if (this.lib) return;
    const lib = new NvmlLibrary(this.opts.libraryPath);
    try {
      lib.init();
    } catch (error) {
      lib.unload();
      throw error;
    }
    this.lib = lib;
    this.gpus = [];
    const count = lib.deviceCount();
    for (let index = 0; index < count; index++) {
      const handle = lib.handleByIndex(index);
      let counter = true;
      try {
        lib.totalEnergyMj(handle);
      } catch (error) {
        if (!(error instanceof NvmlError) || error.code !== NvmlReturn.NotSupported) throw error;
        counter = false;
        this.opts.log.info('GPU has no energy counter; integrating power instead', { gpu: index });
      }
      this.gpus.push({
        info: { id: `gpu${index}`, kind: 'gpu', name: lib.name(handle), uuid: lib.uuid(handle), source: 'nvml' },
        handle,
        counter,
        last: null,
        epoch: 0,
      });
    }
  }

  private optional<T>(gpu: GpuState, what: string, read: () => T): T | null {
    try {
      return read();
    } catch (error) {
      // a GPU without a process listing is a missing feature, not a fault to count at every poll
      if (what !== 'processes') this.opts.onError?.();
      this.once.warn(`${gpu.info.id}:${what}`, `NVML: ${gpu.info.id} ${what} unavailable`, { error: (error as Error).message });
      return null;
    }
  }

  private processes(gpu: GpuState): DeviceProcess[] {
    const list = this.optional(gpu, 'processes', () => this.lib!.computeProcesses(gpu.handle)) ?? [];
    return list.map((p) => ({ pid: p.pid, usedMemoryMiB: p.usedGpuMemory === null ? null : p.usedGpuMemory / MIB }));
  }

  async poll(now: number): Promise<DeviceInterval[]> {
    const lib = this.lib;
    if (!lib) return [];
    const out: DeviceInterval[] = [];
    for (const gpu of this.gpus) {
      const powerW = this.optional(gpu, 'power', () => lib.powerMw(gpu.handle) / 1000);
      const energyMj = gpu.counter ? this.optional(gpu, 'energy counter', () => lib.totalEnergyMj(gpu.handle)) : null;
      const last = gpu.last;
      if (powerW === null && energyMj === null) {
        gpu.last = null;
        continue;
      }
      gpu.last = { t: now, energyMj, powerW: powerW ?? 0 };
      if (!last || now <= last.t) continue;
      let energyJ: number | null = null;
      if (energyMj !== null && last.energyMj !== null) {
        if (energyMj >= last.energyMj) {
          energyJ = (energyMj - last.energyMj) / 1000;
        } else {
          gpu.epoch++;
          this.opts.log.warn('NVML energy counter went backwards (driver reload?); new epoch', {
            gpu: gpu.info.id,
            epoch: gpu.epoch,
            previousMj: last.energyMj,
            currentMj: energyMj,
          });
        }
      }
      // No usable counter difference (no counter, or a new epoch): the trapezoid of the two power readings.
      if (energyJ === null && powerW !== null) energyJ = trapezoidJ(last.powerW, powerW, now - last.t);
      if (energyJ === null) continue;
      const utilization = this.optional(gpu, 'utilization', () => lib.utilization(gpu.handle).gpu);
      const memory = this.optional(gpu, 'memory', () => lib.memory(gpu.handle));
      out.push({
        device: gpu.info,
        t0: last.t,
        t1: now,
        energyJ,
        powerW: energyJ / ((now - last.t) / 1000),
        utilization,
        memoryUsedMiB: memory ? memory.used / MIB : null,
        processes: this.processes(gpu),
      });
    }
    return out;
  }

  async probe(): Promise<ProbeResult> {
    try {
      await this.start();
    } catch (error) {
      return { devices: [], problems: [`nvml (${this.opts.libraryPath}): ${(error as Error).message}`] };
    }
    const lib = this.lib!;
    const problems: string[] = [];
    const devices = this.gpus.map((gpu) => {
      const read = <T>(what: string, fn: () => T): T | null => {
        try {
          return fn();
        } catch (error) {
          problems.push(`nvml: ${gpu.info.id} ${what}: ${(error as Error).message}`);
          return null;
        }
      };
      const memory = read('memory', () => lib.memory(gpu.handle));
      return {
        id: gpu.info.id,
        kind: 'gpu' as const,
        name: gpu.info.name,
        uuid: gpu.info.uuid,
        source: 'nvml' as const,
        powerW: read('power', () => lib.powerMw(gpu.handle) / 1000),
        utilization: read('utilization', () => lib.utilization(gpu.handle).gpu),
        memoryUsedMiB: memory ? memory.used / MIB : null,
      };
    });
    return { devices, problems };
  }

  async stop(): Promise<void> {
    const lib = this.lib;
    this.lib = null;
    this.gpus = [];
    if (!lib) return;
    try {
      lib.shutdown();
    } finally {
      lib.unload();
    }
  }
}
