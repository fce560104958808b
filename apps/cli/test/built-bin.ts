import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, scratchDir } from './run-cli';

/** The bin the README's `npx wattprint` runs. */
export const BIN = join(ROOT, 'apps', 'cli', 'bin', 'wattprint.js');

/** The workspace libraries the built CLI requires at run time. */
const LIBS = ['estimation', 'protocol', 'api-client', 'carbon'];

/**
 * After `npm ci` the workspace links the libraries into node_modules; a checkout built without that
 * install gets the same links through NODE_PATH, so the built bin runs either way.
 */
function libraryPath(): string | undefined {
  // Asked of a real node process: inside jest, module resolution goes through its moduleNameMapper.
  const resolves = (lib: string) =>
    spawnSync(process.execPath, ['-e', `require.resolve('@wattprint/${lib}')`], { cwd: join(ROOT, 'apps', 'cli', 'dist') }).status === 0;
  if (LIBS.every(resolves)) return undefined;
  const dir = scratchDir();
  mkdirSync(join(dir, '@wattprint'));
  for (const lib of LIBS) symlinkSync(join(ROOT, 'libs', lib), join(dir, '@wattprint', lib), 'dir');
  return dir;
}

/**
 * Builds the CLI (incremental, so quick when dist is current) and returns the environment to run the
 * built bin with, and a clean-up for afterAll.
 */
export function buildBin(): { env: NodeJS.ProcessEnv; cleanUp: () => void } {
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'apps/cli/tsconfig.lib.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
  const nodePath = libraryPath();
  return {
    env: { ...process.env, ...(nodePath ? { NODE_PATH: nodePath } : {}) },
    cleanUp: () => {
      if (nodePath) rmSync(nodePath, { recursive: true, force: true });
    },
  };
}
