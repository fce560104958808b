/** deploy/slurm/ as shipped: its example files parse and name only what the program reads. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_VARIABLES, loadConfig } from '../src/config';
import { parseEnvFile } from '../src/env-file';
import { parseTeamMap } from '../src/team-map';
import { REPO_ROOT } from './support';

const DEPLOY = join(REPO_ROOT, 'deploy/slurm');
const read = (name: string) => readFileSync(join(DEPLOY, name), 'utf8');

it('slurm.env.example parses, and sets and mentions only variables wattprint-slurm knows', () => {
  const text = read('slurm.env.example');
  const { values, problems } = parseEnvFile(text, 'slurm.env.example');
  expect(problems).toEqual([]);
  const mentioned = [...text.matchAll(/\b(WATTPRINT_[A-Z_]+)=/g)].map((m) => m[1]);
  expect(mentioned.filter((n) => !(n in CONFIG_VARIABLES))).toEqual([]);
  expect(Object.keys(CONFIG_VARIABLES).filter((n) => !mentioned.includes(n))).toEqual([]);
  expect(values).toMatchObject({ WATTPRINT_SLURM_TIMEOUT_MS: '1000', WATTPRINT_SLURM_SPOOL_DIR: '/var/spool/wattprint-slurm' });
  // and it loads as the program reads it, the example's values being its defaults
  const { config } = loadConfig({ WATTPRINT_SLURM_ENV: join(DEPLOY, 'slurm.env.example') });
  expect(config).toMatchObject({ url: 'https://wattprint.example.org', timeoutMs: 1000, resolveMs: 300_000, spoolMaxBytes: 16_777_216 });
});

it('the wrappers read only known variables, and are executable', () => {
  for (const hook of ['prolog.sh', 'epilog.sh']) {
    const names = [...read(hook).matchAll(/\b(WATTPRINT_[A-Z_]+)\b/g)].map((m) => m[1]);
    expect(names.filter((n) => !(n in CONFIG_VARIABLES) && n !== 'WATTPRINT_SLURM_ENV')).toEqual([]);
    expect(statSync(join(DEPLOY, hook)).mode & 0o111).toBe(0o111);
    expect(read(hook)).toMatch(/\nexit 0\n$/);
  }
});

it('teams.example parses', () => {
  expect([...parseTeamMap(read('teams.example'), 'teams.example').entries()]).toEqual([
    ['physics-gpu', 'physics'],
    ['nlp-a100', 'nlp'],
    ['nlp-h100', 'nlp'],
  ]);
});

it('the retry unit runs the program that exists in the repository build', () => {
  const exec = /^ExecStart=\/usr\/bin\/env node \/opt\/wattprint\/(\S+) flush --quiet$/m.exec(read('wattprint-slurm-flush.service'));
  expect(exec).not.toBeNull();
  expect(existsSync(join(REPO_ROOT, exec![1]))).toBe(true);
  expect(read('wattprint-slurm-flush.timer')).toMatch(/^OnUnitActiveSec=1min$/m);
});
