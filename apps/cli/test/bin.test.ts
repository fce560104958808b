import { forecast } from '@wattprint/estimation';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { BIN, buildBin } from './built-bin';
import { example, ROOT } from './run-cli';

let built: ReturnType<typeof buildBin>;

function wattprint(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: built.env });
}

beforeAll(() => {
  built = buildBin();
}, 60_000);

afterAll(() => built?.cleanUp());

describe('the built wattprint bin', () => {
  it('forecasts the quick-start example as the library does', () => {
    const r = wattprint('forecast', 'examples/mnist-dedicated.yaml', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(forecast(parse(readFileSync(example('mnist-dedicated.yaml'), 'utf8'))));
  });

  it('finds the reference set from wherever it is run', () => {
    const r = spawnSync(process.execPath, [BIN, 'accuracy', '--json'], { cwd: tmpdir(), encoding: 'utf8', env: built.env });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const runs = readdirSync(join(ROOT, 'data', 'reference-runs'))
      .filter((f) => f.endsWith('.yaml'))
      .reduce((n, f) => n + parse(readFileSync(join(ROOT, 'data', 'reference-runs', f), 'utf8')).runs.length, 0);
    expect(JSON.parse(r.stdout).overall.runs).toBe(runs);
  });

  it('exits 1 with one line per problem on bad input', () => {
    const r = wattprint('forecast', 'examples/does-not-exist.yaml');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('examples/does-not-exist.yaml: cannot read the file (no such file); expected a readable JSON or YAML file\n');
  });

  it('says the version of apps/cli/package.json, not one written in the code', () => {
    const r = wattprint('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync(`${ROOT}/apps/cli/package.json`, 'utf8')).version}\n`);
  });
});
