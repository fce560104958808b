import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
/** The `wattprint` bin as `npx wattprint` runs it: the collector's tests use the CLI from outside, never its sources. */
export const CLI_BIN = join(ROOT, 'apps', 'cli', 'bin', 'wattprint.js');

/** Builds the CLI (incremental: about a second when up to date), so a test never runs a stale build. */
export function buildCli(): void {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const built = spawnSync(process.execPath, [tsc, '-b', join(ROOT, 'apps', 'cli', 'tsconfig.lib.json')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building apps/cli failed:\n${built.stdout}${built.stderr}`);
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `wattprint …` in a process of its own with only PATH and `env` set, so no variable of the test leaks in. */
export function wattprintBin(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** The text of a file another process writes, once it is there. */
export async function waitForFile(path: string, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return readFileSync(path, 'utf8');
}
