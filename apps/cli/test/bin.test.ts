import { forecast } from '@wattprint/estimation';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { example, ROOT, scratchDir } from './run-cli';

const BIN = join(ROOT, 'apps', 'cli', 'bin', 'wattprint.js');

/**
 * After `npm ci` the workspace links @wattprint/estimation into node_modules; a checkout built
 * without that install gets the same link through NODE_PATH, so the built bin runs either way.
 */
function libraryPath(): string | undefined {
  // Asked of a real node process: inside jest, module resolution goes through its moduleNameMapper.
  const probe = spawnSync(process.execPath, ['-e', "require.resolve('@wattprint/estimation')"], { cwd: join(ROOT, 'apps', 'cli', 'dist') });
  if (probe.status === 0) return undefined;
  const dir = scratchDir();
  mkdirSync(join(dir, '@wattprint'));
  symlinkSync(join(ROOT, 'libs', 'estimation'), join(dir, '@wattprint', 'estimation'), 'dir');
  return dir;
}

let nodePath: string | undefined;

function wattprint(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...(nodePath ? { NODE_PATH: nodePath } : {}) },
  });
}

beforeAll(() => {
  // The build the README's `npx wattprint` runs; incremental, so quick when dist is current.
  const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'apps/cli/tsconfig.lib.json'], { cwd: ROOT, encoding: 'utf8' });
  if (tsc.status !== 0) throw new Error(`build failed:\n${tsc.stdout}${tsc.stderr}`);
  nodePath = libraryPath();
}, 60_000);

afterAll(() => {
  if (nodePath) rmSync(nodePath, { recursive: true, force: true });
});

describe('the built wattprint bin', () => {
  it('forecasts the quick-start example as the library does', () => {
    const r = wattprint('forecast', 'examples/mnist-dedicated.yaml', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(forecast(parse(readFileSync(example('mnist-dedicated.yaml'), 'utf8'))));
  });

  it('exits 1 with one line per problem on bad input', () => {
    const r = wattprint('forecast', 'examples/does-not-exist.yaml');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('examples/does-not-exist.yaml: cannot read the file (no such file); expected a readable JSON or YAML file\n');
  });
});
