import { accuracyReport } from '@wattprint/estimation';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli, scratchDir } from '../../test/run-cli';

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const REFERENCE = join(ROOT, 'data', 'reference-runs');

describe('wattprint accuracy', () => {
  it('prints families, targets and every run, for people', async () => {
    const r = await runCli('accuracy');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Accuracy against \d+ published runs \(data\/reference-runs\): \d+ families, \d+ hardware generations/);
    expect(r.stdout).toMatch(/^Family\s+Counts\s+Runs\s+MAPE\s+Measured\/forecast\s+In p10–p90\s+LOO MAPE\s+Device-h MAPE$/m);
    expect(r.stdout).toMatch(/^meta-llama-a100\s+devices, PUE\s+8\s/m);
    expect(r.stdout).toMatch(/^all runs\s+\d+\s/m);
    expect(r.stdout).toMatch(/^ {2}- uncalibrated p10–p90 covers ≥ 80 % of the set: [\d.]+ % \(met\)$/m);
    expect(r.stdout).toMatch(/^patterson-2021\/gpt-3\s+nvidia-tesla-v100-sxm2-32gb\s+1\.17 GWh\s/m);
  });

  it('--json prints the library report with its target check, for machines', async () => {
    const r = await runCli('accuracy', '--json');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    const files = readdirSync(REFERENCE)
      .filter((f) => f.endsWith('.yaml'))
      .sort();
    const expected = accuracyReport(
      files.map((f) => parse(readFileSync(join(REFERENCE, f), 'utf8'))),
      files.map((f) => join(REFERENCE, f)),
    );
    expect(json.overall).toEqual(JSON.parse(JSON.stringify(expected.overall)));
    expect(json.runs).toHaveLength(expected.runs.length);
    expect(json.check.coverage.met).toBe(true);
  });

  it('reads another directory, and names the file and field of a bad one', async () => {
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    const family = parse(readFileSync(join(REFERENCE, 'strubell-2019.yaml'), 'utf8'));
    writeFileSync(join(mine, 'a.json'), JSON.stringify(family));
    const ok = await runCli('accuracy', '--dir', mine, '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).overall.runs).toBe(2);
    family.runs[0].measured.energyKWh.value = -3;
    writeFileSync(join(mine, 'b.json'), JSON.stringify({ ...family, family: 'other' }));
    const bad = await runCli('accuracy', '--dir', mine);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`${join(mine, 'b.json')}.runs.0.measured.energyKWh.value: got -3; expected a positive number\n`);
  });

  it('refuses a directory it cannot read or that holds no reference files, in one line', async () => {
    const missing = join(dir, 'nowhere');
    expect(await runCli('accuracy', '--dir', missing)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${missing}: cannot read the directory (no such file or directory); expected a directory of reference-run files\n`,
    });
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect((await runCli('accuracy', '--dir', empty)).stderr).toBe(`${empty}: got no .yaml or .json files; expected reference-run files\n`);
  });
});
