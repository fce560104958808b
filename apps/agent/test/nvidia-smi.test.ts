import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../src/logger';
import { APPS_FIELDS, parseAppsOutput } from '../src/sources/nvidia-smi/nvidia-smi-csv';
import { NvidiaSmiSource, execText } from '../src/sources/nvidia-smi/nvidia-smi.source';
import { CAPTURES, FAKE_SMI, capture, tempDir } from './helpers/paths';

/** The cells of one section of a capture, read independently of the agent's parser (full header, by name). */
function section(file: string, phase: string, title: string): Array<Record<string, string>> {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  let i = lines.findIndex((l) => l.startsWith(`# ${phase} :: ${title}`));
  while (!/^#{20,}$/.test(lines[i])) i++;
  const header = lines[++i].split(', ').map((h) => h.replace(/ \[.*\]$/, ''));
  const rows: Array<Record<string, string>> = [];
  for (i++; lines[i] && lines[i].trim() !== ''; i++) {
    const cells = lines[i].split(', ');
    rows.push(Object.fromEntries(header.map((h, k) => [h, cells[k]])));
  }
  return rows;
}

const number = (cell: string): number | null => (cell.startsWith('[') ? null : Number(cell.split(' ')[0]));
const captures = readdirSync(CAPTURES).filter((f) => f.endsWith('.txt'));
const cases = captures.flatMap((file) => ['idle', 'load'].map((phase) => [file, phase] as const));

let env: NodeJS.ProcessEnv = {};
/** The fake's environment is handed to the source, as the agent hands its own to nvidia-smi. */
function useCapture(file: string, phase: string, extra: Record<string, string> = {}): void {
  env = { PATH: process.env.PATH, FAKE_SMI_CAPTURE: capture(file), FAKE_SMI_PHASE: phase, ...extra };
}

describe('every nvidia-smi capture, served by the fake nvidia-smi', () => {
  it('covers all eight captures', () => expect(captures).toHaveLength(8));

  it.each(cases)('%s (%s): query-gpu reading matches the capture', async (file, phase) => {
    useCapture(file, phase);
    const [expected] = section(capture(file), phase, 'query-gpu');
    const source = new NvidiaSmiSource({ command: FAKE_SMI, intervalMs: 1000, appsMs: 5000, log: silentLogger, env });
    const result = await source.probe();
    expect(result.devices).toEqual([
      {
        id: 'gpu0',
        kind: 'gpu',
        name: expected.name,
        uuid: expected.uuid,
        source: 'nvidia-smi',
        powerW: number(expected['power.draw.average']) ?? number(expected['power.draw']),
        utilization: number(expected['utilization.gpu']),
        memoryUsedMiB: number(expected['memory.used']),
      },
    ]);
    expect(result.problems).toEqual([]);
  });

  it.each(cases)('%s (%s): compute-apps list matches the capture', async (file, phase) => {
    useCapture(file, phase);
    const expected = section(capture(file), phase, 'query-compute-apps');
    const apps = parseAppsOutput(
      await execText(FAKE_SMI, [`--query-compute-apps=${APPS_FIELDS.join(',')}`, '--format=csv,nounits'], 10_000, env),
    );
    expect(apps.map((a) => a.pid)).toEqual(expected.map((r) => Number(r.pid)));
    expect(apps.map((a) => a.usedMemoryMiB)).toEqual(expected.map((r) => number(r.used_gpu_memory)));
    expect(apps.map((a) => a.processName)).toEqual(expected.map((r) => r.process_name));
  });

  it('reports the facts the captures are known for', async () => {
    const read = async (file: string, phase: string) => {
      useCapture(file, phase);
      return (await new NvidiaSmiSource({ command: FAKE_SMI, intervalMs: 1000, appsMs: 5000, log: silentLogger, env }).probe()).devices[0];
    };
    expect((await read('linux-x86_64__nvidia-h100-mig__590.48.01.txt', 'load')).utilization).toBeNull(); // MIG
    expect((await read('linux-x86_64__nvidia-l40s__595.80.txt', 'idle')).utilization).toBe(100); // "idle" L40S
    expect((await read('linux-x86_64__nvidia-geforce-rtx-2080-super__595.71.05.txt', 'load')).powerW).toBe(111.5); // no average: draw
  });
});

describe('the long-running nvidia-smi -lms stream', () => {
  let source: NvidiaSmiSource | null = null;
  afterEach(async () => {
    await source?.stop();
    source = null;
  });

  it('integrates power between rows into energy and hands each joule over once', async () => {
    useCapture('linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt', 'load', { FAKE_SMI_GPUS: '2' });
    source = new NvidiaSmiSource({ command: FAKE_SMI, intervalMs: 100, appsMs: 60_000, log: silentLogger, env });
    await source.start();
    await new Promise((r) => setTimeout(r, 900));
    const first = await source.poll(Date.now());
    await new Promise((r) => setTimeout(r, 400));
    const second = await source.poll(Date.now());
    expect(new Set(first.map((i) => i.device.id))).toEqual(new Set(['gpu0', 'gpu1']));
    for (const interval of [...first, ...second]) {
      expect(interval.t1).toBeGreaterThan(interval.t0);
      // Constant 631.95 W: the trapezoid is exactly power × time.
      expect(interval.energyJ).toBeCloseTo((631.95 * (interval.t1 - interval.t0)) / 1000, 6);
      expect(interval.processes?.map((p) => p.pid)).toEqual(interval.device.id === 'gpu0' ? [11327, 11328, 11345] : []);
    }
    const gpu0 = [...first, ...second].filter((i) => i.device.id === 'gpu0');
    expect(gpu0[1].t0).toBe(gpu0[0].t1); // contiguous: nothing counted twice, nothing dropped
  });

  it('kills a child that stops printing and starts it again with back-off', async () => {
    const log = join(tempDir('smi-log'), 'starts.log');
    useCapture('linux-x86_64__nvidia-l40s__595.80.txt', 'load', { FAKE_SMI_STALL_AFTER: '2', FAKE_SMI_LOG: log });
    source = new NvidiaSmiSource({
      command: FAKE_SMI,
      intervalMs: 100,
      appsMs: 60_000,
      stallMs: 400,
      backoffMaxMs: 400,
      log: silentLogger,
      env,
    });
    await source.start();
    await new Promise((r) => setTimeout(r, 2500));
    const starts = readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('--query-gpu'));
    expect(starts.length).toBeGreaterThanOrEqual(3);
    expect(source.streamStats.restarts).toBeGreaterThanOrEqual(2);
    const pids = starts.map((l) => Number(l.split(' ')[0]));
    for (const pid of pids.slice(0, -1)) expect(() => process.kill(pid, 0)).toThrow(); // the hung ones are gone
  });

  it('asks again without power.draw.average when an older driver refuses the field', async () => {
    // The H100 capture with that column renamed: the fake then answers as an old driver does,
    // `Field "power.draw.average" is not a valid field to query.` with exit status 2.
    const old = join(tempDir('old-driver'), 'old-driver.txt');
    writeFileSync(
      old,
      readFileSync(capture('linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt'), 'utf8').replace(
        /power\.draw\.average/g,
        'power.draw.avg_unknown',
      ),
    );
    env = { PATH: process.env.PATH, FAKE_SMI_CAPTURE: old, FAKE_SMI_PHASE: 'load' };
    const probed = await new NvidiaSmiSource({ command: FAKE_SMI, intervalMs: 100, appsMs: 60_000, log: silentLogger, env }).probe();
    expect(probed.devices.map((d) => d.powerW)).toEqual([631.95]);
    source = new NvidiaSmiSource({ command: FAKE_SMI, intervalMs: 100, appsMs: 60_000, backoffMaxMs: 200, log: silentLogger, env });
    await source.start();
    await new Promise((r) => setTimeout(r, 1200));
    const intervals = await source.poll(Date.now());
    expect(intervals.length).toBeGreaterThan(0);
    expect(intervals[0].energyJ).toBeCloseTo((631.95 * (intervals[0].t1 - intervals[0].t0)) / 1000, 6);
  });
});
