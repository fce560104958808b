/**
 * The host-list expansion against Slurm's own: `scontrol show hostnames` of the installed Slurm (it parses
 * locally, no controller needed) on random lists in Slurm's syntax. The hooks never run scontrol for it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandHostlist } from '../src/hostlist';
import { random } from './support';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wattprint-hostlist-'));
  writeFileSync(join(dir, 'slurm.conf'), 'ClusterName=hostlist\nSlurmctldHost=localhost\n');
  try {
    scontrolHostnames('x');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('Slurm is not installed (no scontrol on PATH): run `apt-get install -y slurm-wlm munge` (bash .ci/run does it)');
    throw error;
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scontrolHostnames(list: string): string[] {
  const out = execFileSync('scontrol', ['show', 'hostnames', list], { env: { ...process.env, SLURM_CONF: join(dir, 'slurm.conf') } });
  return out
    .toString()
    .split('\n')
    .filter((l) => l !== '');
}

it('expands 150 random host lists exactly as scontrol show hostnames does (property, seed 7)', () => {
  const r = random(7);
  const range = () => {
    const width = r.int(1, 4);
    const lo = r.int(0, 10 ** width - 1);
    const pad = (n: number) => String(n).padStart(r.next() < 0.5 ? width : 1, '0');
    return r.next() < 0.3 ? pad(lo) : `${pad(lo)}-${lo + r.int(0, 12)}`;
  };
  const group = () => `[${Array.from({ length: r.int(1, 3) }, range).join(',')}]`;
  const item = () => {
    const prefix = r.pick(['gpu', 'n', 'node-', 'a100_', 'x']);
    const shape = r.int(0, 2);
    if (shape === 0) return `${prefix}${r.int(0, 99)}`;
    if (shape === 1) return `${prefix}${group()}`;
    return `${prefix}${group()}${r.pick(['b', 's'])}${group()}`;
  };
  for (let i = 0; i < 150; i++) {
    const list = Array.from({ length: r.int(1, 3) }, item).join(',');
    expect({ list, hosts: expandHostlist(list) }).toEqual({ list, hosts: scontrolHostnames(list) });
  }
});
