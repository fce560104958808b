import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../src/io';
import { run } from '../src/main';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process against the real file system, capturing its output and exit status. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    readFile: (p) => readFileSync(p, 'utf8'),
    writeFile: (p, t) => writeFileSync(p, t),
    listDirectory: (p) => readdirSync(p),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** A fresh directory for one test file's inputs and outputs. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'wattprint-cli-'));
}

/** The repository root: examples are read from where a newcomer finds them. */
export const ROOT = join(__dirname, '..', '..', '..');
export const example = (name: string) => join(ROOT, 'examples', name);

/** The text of a file another process writes, once it is there. */
export async function waitForFile(path: string, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return readFileSync(path, 'utf8');
}
