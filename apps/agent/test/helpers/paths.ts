import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const AGENT_ROOT = resolve(__dirname, '../..');
export const REPO_ROOT = resolve(AGENT_ROOT, '../..');
export const FIXTURES = join(AGENT_ROOT, 'test/fixtures');
export const CAPTURES = join(FIXTURES, 'nvidia-smi');
export const FAKE_SMI = join(FIXTURES, 'fake-nvidia-smi.js');

export function capture(name: string): string {
  return join(CAPTURES, name);
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `wattprint-${prefix}-`));
}

/** Builds the agent (incremental: a no-op when dist is current) so tests can run it as its own process. */
export function buildAgent(): string {
  execFileSync(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-b', join(AGENT_ROOT, 'tsconfig.lib.json')], { stdio: 'inherit' });
  return join(AGENT_ROOT, 'bin/wattprint-agent.js');
}

/** The workspace libraries the built agent requires at run time. */
const LIBS = ['protocol', 'runtime'];

/**
 * NODE_PATH that resolves the workspace libraries for the built agent even where node_modules lacks the
 * workspace links (a checkout whose node_modules was not made by `npm ci`).
 */
export function nodePathForDist(): string {
  if (LIBS.every((lib) => existsSync(join(REPO_ROOT, `node_modules/@wattprint/${lib}`)))) return '';
  const dir = tempDir('nodepath');
  mkdirSync(join(dir, '@wattprint'));
  for (const lib of LIBS) symlinkSync(join(REPO_ROOT, `libs/${lib}`), join(dir, `@wattprint/${lib}`));
  return dir;
}
