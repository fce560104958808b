import * as koffi from 'koffi';

/** NVML return codes the agent tells apart (nvml.h). */
export enum NvmlReturn {
  Success = 0,
  Uninitialized = 1,
  InvalidArgument = 2,
  NotSupported = 3,
  NoPermission = 4,
  NotFound = 6,
  InsufficientSize = 7,
  DriverNotLoaded = 9,
  GpuIsLost = 15,
}

export class NvmlError extends Error {
  constructor(
    readonly call: string,
    readonly code: number,
    text: string,
  ) {
    super(`${call} failed: ${text} (NVML error ${code})`);
    this.name = 'NvmlError';
  }
}

export interface NvmlProcess {
  pid: number;
  /** Bytes; null when NVML says NVML_VALUE_NOT_AVAILABLE (e.g. under MIG or WDDM). */
  usedGpuMemory: number | null;
  gpuInstanceId: number;
  computeInstanceId: number;
}

export type NvmlHandle = unknown;
type KoffiLib = ReturnType<typeof koffi.load>;
type KoffiType = ReturnType<typeof koffi.opaque>;
type KoffiFn = ReturnType<KoffiLib['func']>;

/** NVML_VALUE_NOT_AVAILABLE: all 64 bits set. */
const VALUE_NOT_AVAILABLE = 0xffffffffffffffffn;

function u64(value: number | bigint): number | null {
  if (typeof value === 'bigint') return value === VALUE_NOT_AVAILABLE ? null : Number(value);
  return value;
}

let types: { processInfo: KoffiType } | null = null;

/** koffi keeps named types process-wide: declared once, whichever library is loaded after. */
function nvmlTypes(): { processInfo: KoffiType } {
  if (!types) {
    koffi.pointer('nvmlDevice_t', koffi.opaque('nvmlDevice_st'));
    koffi.struct('nvmlUtilization_t', { gpu: 'uint', memory: 'uint' });
    koffi.struct('nvmlMemory_t', { total: 'unsigned long long', free: 'unsigned long long', used: 'unsigned long long' });
    const processInfo = koffi.struct('nvmlProcessInfo_v3_t', {
      pid: 'uint',
      usedGpuMemory: 'unsigned long long',
      gpuInstanceId: 'uint',
      computeInstanceId: 'uint',
    });
    types = { processInfo };
  }
  return types;
}

/**
 * The few NVML calls the agent makes, bound through koffi. The library path is configurable so tests load
 * a small C library exporting the same symbols; production loads libnvidia-ml.so.1 from the driver.
 * Compute processes use the v3 struct (pid, usedGpuMemory, gpuInstanceId, computeInstanceId), which is
 * what the `_v3` symbol takes; the unversioned symbol is the old struct kept for old binaries.
 */
export class NvmlLibrary {
  private readonly lib: KoffiLib;
  private readonly processInfo: KoffiType;
  private readonly fn: Record<string, KoffiFn>;

  constructor(readonly path: string) {
    this.lib = koffi.load(path);
    this.processInfo = nvmlTypes().processInfo;
    const f = (decl: string) => this.lib.func(decl);
    this.fn = {
      init: f('int nvmlInit_v2()'),
      shutdown: f('int nvmlShutdown()'),
      errorString: f('const char *nvmlErrorString(int result)'),
      count: f('int nvmlDeviceGetCount_v2(_Out_ unsigned int *count)'),
      handle: f('int nvmlDeviceGetHandleByIndex_v2(unsigned int index, _Out_ nvmlDevice_t *device)'),
      name: f('int nvmlDeviceGetName(nvmlDevice_t device, _Out_ uint8_t *name, unsigned int length)'),
      uuid: f('int nvmlDeviceGetUUID(nvmlDevice_t device, _Out_ uint8_t *uuid, unsigned int length)'),
      energy: f('int nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, _Out_ unsigned long long *energy)'),
      power: f('int nvmlDeviceGetPowerUsage(nvmlDevice_t device, _Out_ unsigned int *power)'),
      utilization: f('int nvmlDeviceGetUtilizationRates(nvmlDevice_t device, _Out_ nvmlUtilization_t *utilization)'),
      memory: f('int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, _Out_ nvmlMemory_t *memory)'),
      processes: f(
        'int nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t device, _Inout_ unsigned int *infoCount, _Out_ uint8_t *infos)',
      ),
    };
  }

  private check(call: string, code: number): void {
    if (code !== NvmlReturn.Success) throw new NvmlError(call, code, String(this.fn.errorString(code)));
  }

  init(): void {
    this.check('nvmlInit_v2', this.fn.init());
  }

  shutdown(): void {
    this.check('nvmlShutdown', this.fn.shutdown());
  }

  deviceCount(): number {
    const out = [0];
    this.check('nvmlDeviceGetCount_v2', this.fn.count(out));
    return out[0];
  }

  handleByIndex(index: number): NvmlHandle {
    const out: unknown[] = [null];
    this.check('nvmlDeviceGetHandleByIndex_v2', this.fn.handle(index, out));
    return out[0];
  }

  private text(call: string, fn: KoffiFn, device: NvmlHandle, size: number): string {
    const buffer = Buffer.alloc(size);
    this.check(call, fn(device, buffer, size));
    const end = buffer.indexOf(0);
    return buffer.subarray(0, end < 0 ? size : end).toString('utf8');
  }

  name(device: NvmlHandle): string {
    return this.text('nvmlDeviceGetName', this.fn.name, device, 96);
  }

  uuid(device: NvmlHandle): string {
    return this.text('nvmlDeviceGetUUID', this.fn.uuid, device, 96);
  }

  /** Millijoules since the driver loaded; NvmlError NotSupported before Volta. */
  totalEnergyMj(device: NvmlHandle): number {
    const out: Array<number | bigint> = [0];
    this.check('nvmlDeviceGetTotalEnergyConsumption', this.fn.energy(device, out));
    return u64(out[0]) ?? 0;
  }

  powerMw(device: NvmlHandle): number {
    const out = [0];
    this.check('nvmlDeviceGetPowerUsage', this.fn.power(device, out));
    return out[0];
  }

  utilization(device: NvmlHandle): { gpu: number; memory: number } {
    const out = { gpu: 0, memory: 0 };
    this.check('nvmlDeviceGetUtilizationRates', this.fn.utilization(device, out));
    return out;
  }

  memory(device: NvmlHandle): { total: number; free: number; used: number } {
    const out = { total: 0, free: 0, used: 0 } as Record<string, number | bigint>;
    this.check('nvmlDeviceGetMemoryInfo', this.fn.memory(device, out));
    return { total: u64(out.total) ?? 0, free: u64(out.free) ?? 0, used: u64(out.used) ?? 0 };
  }

  computeProcesses(device: NvmlHandle): NvmlProcess[] {
    let capacity = 16;
    for (let attempt = 0; attempt < 4; attempt++) {
      const count = [capacity];
      const buffer = Buffer.alloc(capacity * koffi.sizeof(this.processInfo));
      const code = this.fn.processes(device, count, buffer);
      if (code === NvmlReturn.InsufficientSize) {
        // NVML wrote back how many there are; processes may start meanwhile, hence the margin.
        capacity = count[0] + 8;
        continue;
      }
      this.check('nvmlDeviceGetComputeRunningProcesses_v3', code);
      if (count[0] === 0) return [];
      const infos = koffi.decode(buffer, this.processInfo, count[0]) as Array<Record<string, number | bigint>>;
      return infos.map((p) => ({
        pid: Number(p.pid),
        usedGpuMemory: u64(p.usedGpuMemory),
        gpuInstanceId: Number(p.gpuInstanceId),
        computeInstanceId: Number(p.computeInstanceId),
      }));
    }
    throw new NvmlError('nvmlDeviceGetComputeRunningProcesses_v3', NvmlReturn.InsufficientSize, 'process list kept growing');
  }

  unload(): void {
    this.lib.unload();
  }
}
