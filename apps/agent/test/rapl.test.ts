import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger } from '../src/logger';
import { RaplSource, type PowercapFs } from '../src/sources/rapl/rapl.source';
import { tempDir } from './helpers/paths';

/** A powercap tree as a two-socket server with psys shows it; values like a real idle Xeon's. */
function writeTree(zones: Record<string, { name: string; energy: number; range: number }>): string {
  const root = tempDir('powercap');
  mkdirSync(join(root, 'intel-rapl')); // the control type directory, not a zone
  mkdirSync(join(root, 'intel-rapl-mmio:0')); // the package again over MMIO: must be ignored
  writeFileSync(join(root, 'intel-rapl-mmio:0', 'name'), 'package-0\n');
  for (const [zone, z] of Object.entries(zones)) {
    mkdirSync(join(root, zone));
    writeFileSync(join(root, zone, 'name'), `${z.name}\n`);
    writeFileSync(join(root, zone, 'energy_uj'), `${z.energy}\n`);
    writeFileSync(join(root, zone, 'max_energy_range_uj'), `${z.range}\n`);
  }
  return root;
}

const RANGE = 262143328850;
const tree = () =>
  writeTree({
    'intel-rapl:0': { name: 'package-0', energy: 81_020_311_847, range: RANGE },
    'intel-rapl:0:0': { name: 'core', energy: 40_119_873_544, range: RANGE },
    'intel-rapl:0:1': { name: 'uncore', energy: 1_802_990_211, range: RANGE },
    'intel-rapl:0:2': { name: 'dram', energy: 12_377_001_004, range: 65532610987 },
    'intel-rapl:1': { name: 'package-1', energy: 79_911_004_120, range: RANGE },
    'intel-rapl:1:0': { name: 'dram', energy: 11_004_887_310, range: 65532610987 },
    'intel-rapl:2': { name: 'psys', energy: 500_000_000_000, range: RANGE },
  });

const setEnergy = (root: string, zone: string, uj: number) => writeFileSync(join(root, zone, 'energy_uj'), `${uj}\n`);

describe('RAPL through powercap sysfs', () => {
  it('reads packages and DRAM, never core, uncore, psys or the MMIO copy', async () => {
    const root = tree();
    const rapl = new RaplSource({ root, log: silentLogger });
    await rapl.start();
    expect(await rapl.poll(1000)).toEqual([]); // first read is the baseline
    setEnergy(root, 'intel-rapl:0', 81_020_311_847 + 85_000_000); // 85 J over 1 s
    setEnergy(root, 'intel-rapl:0:2', 12_377_001_004 + 9_500_000);
    setEnergy(root, 'intel-rapl:1', 79_911_004_120 + 80_000_000);
    setEnergy(root, 'intel-rapl:1:0', 11_004_887_310 + 9_000_000);
    setEnergy(root, 'intel-rapl:0:0', 40_119_873_544 + 60_000_000);
    setEnergy(root, 'intel-rapl:2', 500_000_000_000 + 200_000_000);
    const out = await rapl.poll(2000);
    expect(out.map((i) => [i.device.id, i.device.kind, i.energyJ, i.powerW, i.t0, i.t1])).toEqual([
      ['cpu0', 'cpu', 85, 85, 1000, 2000],
      ['cpu1', 'cpu', 80, 80, 1000, 2000],
      ['dram0', 'dram', 9.5, 9.5, 1000, 2000],
      ['dram1', 'dram', 9, 9, 1000, 2000],
    ]);
    expect(rapl.reportedProblems).toEqual([]);
  });

  it('undoes a wrap-around with max_energy_range_uj', async () => {
    const root = writeTree({ 'intel-rapl:0': { name: 'package-0', energy: RANGE - 30_000_000, range: RANGE } });
    const rapl = new RaplSource({ root, log: silentLogger });
    await rapl.start();
    await rapl.poll(0);
    setEnergy(root, 'intel-rapl:0', 45_000_000); // passed the top: 30 J before, 45 J after
    const [wrapped] = await rapl.poll(1000);
    expect(wrapped.energyJ).toBeCloseTo(75, 9);
  });

  it('uses psys only on a machine without package zones', async () => {
    const root = writeTree({ 'intel-rapl:0': { name: 'psys', energy: 1_000_000, range: RANGE } });
    const rapl = new RaplSource({ root, log: silentLogger });
    await rapl.start();
    await rapl.poll(0);
    setEnergy(root, 'intel-rapl:0', 13_000_000);
    expect((await rapl.poll(1000)).map((i) => [i.device.id, i.device.name, i.energyJ])).toEqual([['cpu0', 'psys', 12]]);
  });

  // Tests run as root, where chmod 000 does not stop a read. The kernel's answer to a non-root reader
  // (energy_uj is 0400 since CVE-2020-8694) is therefore simulated by a reader that fails those paths with
  // the errno the kernel gives (EACCES); every other path is read from the real fixture tree.
  it('reports an unreadable counter once, keeps the other zones and recovers when it becomes readable', async () => {
    const root = tree();
    let denied = true;
    const fs: PowercapFs = {
      list: (p) => readdir(p),
      readText: async (p) => {
        if (denied && p.endsWith(join('intel-rapl:0', 'energy_uj'))) {
          throw Object.assign(new Error(`EACCES: permission denied, open '${p}'`), {
            code: 'EACCES',
            errno: -13,
            syscall: 'open',
            path: p,
          });
        }
        return readFile(p, 'utf8');
      },
    };
    const rapl = new RaplSource({ root, log: silentLogger, fs });
    await rapl.start();
    await rapl.poll(0);
    setEnergy(root, 'intel-rapl:1', 79_911_004_120 + 70_000_000);
    const second = await rapl.poll(1000);
    await rapl.poll(2000);
    expect(second.map((i) => i.device.id)).toEqual(['cpu1', 'dram0', 'dram1']);
    expect(rapl.reportedProblems).toEqual([
      `RAPL: ${join(root, 'intel-rapl:0', 'energy_uj')} not readable (EACCES): run the agent as root, or grant it read access to energy_uj`,
    ]);
    denied = false;
    await rapl.poll(3000);
    expect((await rapl.poll(4000)).map((i) => i.device.id)).toContain('cpu0');
  });

  it('reports a counter that is not a file (a real EISDIR from the kernel) the same way', async () => {
    const root = tree();
    const energy = join(root, 'intel-rapl:1', 'energy_uj');
    require('node:fs').rmSync(energy);
    mkdirSync(energy);
    const rapl = new RaplSource({ root, log: silentLogger });
    await rapl.start();
    await rapl.poll(0);
    expect((await rapl.poll(1000)).map((i) => i.device.id)).toEqual(['cpu0', 'dram0', 'dram1']);
    expect(rapl.reportedProblems).toEqual([expect.stringMatching(/intel-rapl:1\/energy_uj not readable \(EISDIR\)/)]);
  });

  it('says so when there is no powercap tree, and probe gives a power per zone', async () => {
    const missing = new RaplSource({ root: join(tempDir('none'), 'powercap'), log: silentLogger });
    expect((await missing.probe(10)).problems).toEqual([expect.stringMatching(/^RAPL: no powercap tree at .* \(ENOENT\)$/)]);
    const root = tree();
    const probe = await new RaplSource({ root, log: silentLogger }).probe(20);
    expect(probe.devices.map((d) => [d.id, d.kind, d.powerW, d.utilization, d.memoryUsedMiB])).toEqual([
      ['cpu0', 'cpu', 0, null, null],
      ['cpu1', 'cpu', 0, null, null],
      ['dram0', 'dram', 0, null, null],
      ['dram1', 'dram', 0, null, null],
    ]);
  });
});
