import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgentConfig } from '../src/config/agent-config';
import { silentLogger } from '../src/logger';
import { formatProbe, probe } from '../src/probe';
import { FAKE_SMI, buildAgent, capture, nodePathForDist, tempDir } from './helpers/paths';

jest.setTimeout(60_000);

function raplTree(): string {
  const root = tempDir('powercap');
  for (const [zone, name] of [
    ['intel-rapl:0', 'package-0'],
    ['intel-rapl:0:0', 'core'],
    ['intel-rapl:0:1', 'dram'],
  ]) {
    mkdirSync(join(root, zone));
    writeFileSync(join(root, zone, 'name'), `${name}\n`);
    writeFileSync(join(root, zone, 'energy_uj'), '1000000\n');
    writeFileSync(join(root, zone, 'max_energy_range_uj'), '262143328850\n');
  }
  return root;
}

const fixtureEnv = () => ({
  PATH: process.env.PATH ?? '',
  WATTPRINT_NVIDIA_SMI: FAKE_SMI,
  WATTPRINT_NVML_LIB: '/nonexistent/libnvidia-ml.so.1',
  WATTPRINT_RAPL_ROOT: raplTree(),
  FAKE_SMI_CAPTURE: capture('linux-x86_64__nvidia-h100-mig__590.48.01.txt'),
  FAKE_SMI_PHASE: 'load',
});

describe('wattprint-agent probe', () => {
  it('lists every device with its source and one reading, nulls where a device reports nothing, and the problems', async () => {
    const env = fixtureEnv();
    Object.assign(process.env, { FAKE_SMI_CAPTURE: env.FAKE_SMI_CAPTURE, FAKE_SMI_PHASE: 'load' });
    const report = await probe(loadAgentConfig(env), silentLogger);
    expect(report.devices).toEqual([
      {
        id: 'gpu0',
        kind: 'gpu',
        name: 'NVIDIA H100 80GB HBM3',
        uuid: 'GPU-00000000-0000-0000-0000-000000000000',
        source: 'nvidia-smi',
        powerW: 433.78,
        utilization: null,
        memoryUsedMiB: 11125,
      },
      { id: 'cpu0', kind: 'cpu', name: 'package-0', uuid: null, source: 'rapl', powerW: 0, utilization: null, memoryUsedMiB: null },
      { id: 'dram0', kind: 'dram', name: 'dram', uuid: null, source: 'rapl', powerW: 0, utilization: null, memoryUsedMiB: null },
    ]);
    expect(report.problems).toEqual([expect.stringMatching(/^nvml \(\/nonexistent\/libnvidia-ml\.so\.1\): /)]);
    expect(formatProbe(report)).toMatch(/^gpu0 +gpu +nvidia-smi +433\.8 W +n\/a +11125 MiB +NVIDIA H100 80GB HBM3/);
  });

  it('runs as `wattprint-agent probe --json` from the built output, exit 0 when a device was read, 1 when none', async () => {
    const bin = buildAgent();
    const env = { ...fixtureEnv(), NODE_PATH: nodePathForDist() };
    const run = (extra: Record<string, string>) =>
      new Promise<{ code: number; stdout: string }>((resolve) => {
        execFile(process.execPath, [bin, 'probe', '--json'], { env: { ...env, ...extra } }, (error, stdout) =>
          resolve({ code: error ? Number(error.code) : 0, stdout }),
        );
      });
    const ok = await run({});
    expect(ok.code).toBe(0);
    const json = JSON.parse(ok.stdout) as { devices: Array<{ id: string; source: string }>; problems: string[] };
    expect(json.devices.map((d) => `${d.id}:${d.source}`)).toEqual(['gpu0:nvidia-smi', 'cpu0:rapl', 'dram0:rapl']);
    const none = await run({ WATTPRINT_SOURCES: 'nvml' });
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toEqual({ devices: [], problems: [expect.stringMatching(/^nvml /)] });
  });

  it('refuses an unknown option or a bad variable with exit 2 and one line per problem, as the collector does', async () => {
    const bin = buildAgent();
    const env = { ...fixtureEnv(), NODE_PATH: nodePathForDist() };
    const run = (args: string[], extra: Record<string, string> = {}) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, ...args], { env: { ...env, ...extra } }, (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
      });
    const option = await run(['probe', '--jsn']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("unknown option '--jsn'");
    const variable = await run(['probe'], { WATTPRINT_INTERVAL_MS: 'soon', WATTPRINT_LOG_LEVEL: 'loud' });
    expect(variable.code).toBe(2);
    expect(variable.stderr).toBe(
      [
        'invalid agent configuration:',
        '  WATTPRINT_INTERVAL_MS="soon": expected an integer >= 50',
        '  WATTPRINT_LOG_LEVEL="loud": expected one of trace, debug, info, warn, error, fatal, silent',
        '',
      ].join('\n'),
    );
    expect(variable.stdout).toBe('');
  });
});
