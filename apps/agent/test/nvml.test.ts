import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../src/logger';
import { NvmlError, NvmlLibrary } from '../src/sources/nvml/nvml-library';
import { NvmlSource } from '../src/sources/nvml/nvml.source';
import { FIXTURES, tempDir } from './helpers/paths';

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
let libPath: string;
let script: string;

interface FakeGpu {
  name: string;
  uuid: string;
  energyMj: number | '-';
  powerMw: number;
  util: number;
  memUsed: number;
  procs: string;
}

function setGpus(gpus: FakeGpu[]): void {
  writeFileSync(
    script,
    gpus.map((g) => [g.name, g.uuid, g.energyMj, g.powerMw, g.util, 40, 80 * GIB, g.memUsed, g.procs].join('\t')).join('\n') + '\n',
  );
}

const h100 = (over: Partial<FakeGpu> = {}): FakeGpu => ({
  name: 'NVIDIA H100 80GB HBM3',
  uuid: 'GPU-5ae5d0a4-1f0e-4c2b-9a1d-000000000000',
  energyMj: 1_000_000_000,
  powerMw: 631_950,
  util: 100,
  memUsed: 19_818 * MIB,
  procs: `11327:${2566 * MIB}:0:0,11345:${15690 * MIB}:0:0`,
  ...over,
});

beforeAll(() => {
  const dir = tempDir('nvml');
  libPath = join(dir, 'libfake-nvml.so');
  script = join(dir, 'gpus.tsv');
  execFileSync('cc', [
    '-shared',
    '-fPIC',
    '-O1',
    `-DFAKE_NVML_SCRIPT=${JSON.stringify(script)}`,
    '-o',
    libPath,
    join(FIXTURES, 'fake-nvml.c'),
  ]);
});

describe('NVML through koffi, against a C library built in the test', () => {
  it('reads names, UUIDs, power, utilisation, memory and the v3 process list', () => {
    setGpus([h100({ procs: `11327:${2566 * MIB}:1:0,11346:NA:2:0` })]);
    const lib = new NvmlLibrary(libPath);
    lib.init();
    expect(lib.deviceCount()).toBe(1);
    const gpu = lib.handleByIndex(0);
    expect([lib.name(gpu), lib.uuid(gpu), lib.powerMw(gpu), lib.utilization(gpu), lib.totalEnergyMj(gpu)]).toEqual([
      'NVIDIA H100 80GB HBM3',
      'GPU-5ae5d0a4-1f0e-4c2b-9a1d-000000000000',
      631_950,
      { gpu: 100, memory: 40 },
      1_000_000_000,
    ]);
    expect(lib.memory(gpu)).toEqual({ total: 80 * GIB, used: 19_818 * MIB, free: 80 * GIB - 19_818 * MIB });
    expect(lib.computeProcesses(gpu)).toEqual([
      { pid: 11327, usedGpuMemory: 2566 * MIB, gpuInstanceId: 1, computeInstanceId: 0 },
      { pid: 11346, usedGpuMemory: null, gpuInstanceId: 2, computeInstanceId: 0 },
    ]);
    lib.shutdown();
    lib.unload();
  });

  it('grows the process buffer when NVML answers Insufficient Size', () => {
    const many = Array.from({ length: 40 }, (_, i) => `${1000 + i}:${MIB}:0:0`).join(',');
    setGpus([h100({ procs: many })]);
    const lib = new NvmlLibrary(libPath);
    lib.init();
    expect(lib.computeProcesses(lib.handleByIndex(0)).map((p) => p.pid)).toEqual(Array.from({ length: 40 }, (_, i) => 1000 + i));
    lib.shutdown();
  });

  it("turns NVML errors into typed errors with NVML's own text", () => {
    writeFileSync(script, 'INIT_FAIL\n');
    const lib = new NvmlLibrary(libPath);
    expect(() => lib.init()).toThrow(new NvmlError('nvmlInit_v2', 9, 'Driver Not Loaded'));
  });

  it('measures energy with the counter, and starts a new epoch when the counter goes backwards', async () => {
    setGpus([h100(), h100({ uuid: 'GPU-1', energyMj: '-', powerMw: 70_000, procs: '-' })]);
    const source = new NvmlSource({ libraryPath: libPath, log: silentLogger });
    await source.start();
    expect(await source.poll(10_000)).toEqual([]);
    setGpus([h100({ energyMj: 1_000_632_000 }), h100({ uuid: 'GPU-1', energyMj: '-', powerMw: 90_000, procs: '-' })]);
    const [gpu0, gpu1] = await source.poll(11_000);
    expect(gpu0).toMatchObject({ t0: 10_000, t1: 11_000, energyJ: 632, powerW: 632, utilization: 100, memoryUsedMiB: 19_818 });
    expect(gpu0.device).toEqual({
      id: 'gpu0',
      kind: 'gpu',
      name: 'NVIDIA H100 80GB HBM3',
      uuid: 'GPU-5ae5d0a4-1f0e-4c2b-9a1d-000000000000',
      source: 'nvml',
    });
    expect(gpu0.processes).toEqual([
      { pid: 11327, usedMemoryMiB: 2566 },
      { pid: 11345, usedMemoryMiB: 15690 },
    ]);
    // No counter on this card: the trapezoid of the two power readings (70 W → 90 W over 1 s).
    expect(gpu1).toMatchObject({ energyJ: 80, processes: [] });

    // Driver reload: the counter restarts near zero. That interval falls back to power; the next uses the counter.
    setGpus([h100({ energyMj: 5_000, powerMw: 600_000 }), h100({ uuid: 'GPU-1', energyMj: '-', powerMw: 90_000, procs: '-' })]);
    const [reload] = await source.poll(12_000);
    expect(reload.energyJ).toBeCloseTo((631.95 + 600) / 2, 9);
    expect(source.devices[0].epoch).toBe(1);
    setGpus([h100({ energyMj: 605_000, powerMw: 600_000 }), h100({ uuid: 'GPU-1', energyMj: '-', powerMw: 90_000, procs: '-' })]);
    const [after] = await source.poll(13_000);
    expect(after.energyJ).toBe(600);
    await source.stop();
  });

  it('probe lists each GPU with one reading, and a missing library as a problem', async () => {
    setGpus([h100()]);
    expect(await new NvmlSource({ libraryPath: libPath, log: silentLogger }).probe()).toEqual({
      devices: [
        {
          id: 'gpu0',
          kind: 'gpu',
          name: 'NVIDIA H100 80GB HBM3',
          uuid: 'GPU-5ae5d0a4-1f0e-4c2b-9a1d-000000000000',
          source: 'nvml',
          powerW: 631.95,
          utilization: 100,
          memoryUsedMiB: 19_818,
        },
      ],
      problems: [],
    });
    const missing = await new NvmlSource({ libraryPath: '/nonexistent/libnvidia-ml.so.1', log: silentLogger }).probe();
    expect(missing.devices).toEqual([]);
    expect(missing.problems[0]).toMatch(/^nvml \(\/nonexistent\/libnvidia-ml\.so\.1\): .*cannot open shared object file/);
  });
});
