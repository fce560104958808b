import { forecast, HARDWARE_CATALOGUE } from '@wattprint/estimation';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { example, ROOT, runCli, scratchDir } from '../test/run-cli';

const dir = scratchDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}
const mnist = () => parse(readFileSync(example('mnist-dedicated.yaml'), 'utf8'));

describe('wattprint forecast', () => {
  it('prints the readable table for the quick-start example', async () => {
    const r = await runCli('forecast', example('mnist-dedicated.yaml'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const heading of [
      'Forecast mnist-dedicated on 1 × nvidia-a100-sxm4-80gb',
      'Model: 34,826 params',
      'Phase',
      'Energy (IT)',
      'Facility energy',
      'CO2eq',
      'Duration',
      'Assumptions',
      'Suggestions',
    ]) {
      expect(r.stdout).toContain(heading);
    }
    expect(r.stdout).toMatch(/^training\s+\S+ \w?Wh/m);
  });

  it('--json prints exactly the library Result for the same spec', async () => {
    const r = await runCli('forecast', example('mnist-dedicated.yaml'), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(forecast(mnist()));
  });

  it.each(readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')))('forecasts examples/%s', async (name) => {
    const r = await runCli('forecast', example(name), '--json', '--intensity', `example-grid=${example('intensity-example-grid.csv')}`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).energyKWh.p50).toBeGreaterThan(0);
  });

  it('lets a newcomer compare the dedicated CNN with fine-tuning Xception', async () => {
    const small = JSON.parse((await runCli('forecast', example('mnist-dedicated.yaml'), '--json')).stdout);
    const large = JSON.parse((await runCli('forecast', example('xception-finetune.yaml'), '--json')).stdout);
    expect(large.phases.training.energyKWh / small.phases.training.energyKWh).toBeGreaterThan(20);
  });

  it('shows the what-if of search strategies and the best start hour', async () => {
    const search = await runCli('forecast', example('random-search-dense.yaml'));
    expect(search.stdout).toMatch(/What-if: the same search under each strategy[\s\S]*hyperband/);
    const scheduled = await runCli(
      'forecast',
      example('scheduled-training.yaml'),
      '--intensity',
      `example-grid=${example('intensity-example-grid.csv')}`,
    );
    expect(scheduled.code).toBe(0);
    expect(scheduled.stdout).toMatch(/starting at 2026-12-0\dT\d\d:00:00.000Z would emit/);
  });
});

describe('forecast output', () => {
  it('shows a transformer by its size and FLOPs per token, never "0 layers", and device-hours with the interval', async () => {
    const r = await runCli('forecast', example('transformer-large.yaml'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Model: 70 G params, 140 GFLOPs per token forward\n/m);
    expect(r.stdout).not.toMatch(/\b0 layers\b/);
    expect(r.stdout).toMatch(/^Device-hours\s+[\d,]+\s+[\d,]+\s+[\d,]+$/m);
    const shaped = file('shaped.json', {
      model: { transformer: { params: 7e9, layers: 32, dModel: 4096, context: 4096 } },
      hardware: { profile: 'nvidia-h100-sxm5-80gb', count: 256 },
      training: { samples: 2e12, epochs: 1 },
    });
    expect((await runCli('forecast', shaped)).stdout).toMatch(/^Model: 7 G params, 16\.1 GFLOPs per token forward, 32 layers$/m);
  });

  it("gives counts as whole numbers in JSON: a searched model's mean layers and params are rounded", async () => {
    const r = JSON.parse((await runCli('forecast', example('hyperband-dense.yaml'), '--json')).stdout);
    expect(Number.isInteger(r.model.layers)).toBe(true);
    expect(Number.isInteger(r.model.params)).toBe(true);
    expect(Number.isInteger(r.phases.search.trials)).toBe(true);
  });

  it('writes suggestions in the units of the table', async () => {
    const r = await runCli('forecast', example('random-search-dense.yaml'));
    const suggestion = r.stdout.match(/would spend ([\d.,]+ \w?Wh) on search instead of ([\d.,]+ \w?Wh)/);
    expect(suggestion).not.toBeNull();
    const row = (strategy: string) => r.stdout.match(new RegExp(`^${strategy}\\s+\\d+\\s+\\d+\\s+([\\d.,]+ \\w?Wh)`, 'm'))?.[1];
    expect(suggestion?.[2]).toBe(row('random'));
    expect([row('hyperband'), row('successive-halving'), row('asha')]).toContain(suggestion?.[1]);
  });

  it('does not ask tokensPerSample to forecast training', async () => {
    const spec = file('tokens.json', {
      model: { transformer: { params: 1e9 } },
      hardware: { profile: 'nvidia-a100-sxm4-80gb', count: 8 },
      training: { samples: 2e10, epochs: 1 },
    });
    const r = await runCli('forecast', spec, '--json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).energyKWh.p50).toBeGreaterThan(0);
  });
});

describe('wattprint calibrate', () => {
  it('fits the example observations, writes the file, and forecast reads it back', async () => {
    const out = join(dir, 'calib.json');
    const r = await runCli('calibrate', example('observations.jsonl'), '-o', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/nvidia-a100-sxm4-80gb\s+7\s/);
    const json = JSON.parse((await runCli('calibrate', example('observations.jsonl'), '--json')).stdout);
    expect(json.profiles['nvidia-a100-sxm4-80gb']).toMatchObject({ observations: 7 });
    expect(json.profiles['nvidia-a100-sxm4-80gb'].mape).toBeLessThan(0.1);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(json);
    const calibrated = JSON.parse((await runCli('forecast', example('mnist-dedicated.yaml'), '--calibration', out, '--json')).stdout);
    expect(calibrated.calibration).toEqual({
      profile: 'nvidia-a100-sxm4-80gb',
      basis: 'profile',
      observations: 7,
      mape: json.profiles['nvidia-a100-sxm4-80gb'].mape,
    });
  });

  it('fits energy-only observations (no duration), and says how many were timed', async () => {
    const lines = readFileSync(example('observations.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .map((o) => ({ spec: o.spec, measured: { energyKWh: o.measured.energyKWh } }));
    const r = await runCli('calibrate', file('energy-only.json', lines));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^nvidia-a100-sxm4-80gb\s+7\s+0\s/m);
    const json = JSON.parse((await runCli('calibrate', file('energy-only.json', lines), '--json')).stdout);
    expect(json.profiles['nvidia-a100-sxm4-80gb']).toMatchObject({ observations: 7, withDuration: 0, durationScale: 1 });
    expect(json.profiles['nvidia-a100-sxm4-80gb'].idleScale).toBeGreaterThanOrEqual(0);
  });

  it('refuses an -o it cannot write in one line, and writes nothing to stdout', async () => {
    const out = join(dir, 'no-such-dir', 'calib.json');
    expect(await runCli('calibrate', example('observations.jsonl'), '-o', out)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${out}: cannot write the file (no such file or directory); expected a path in a writable directory\n`,
    });
    expect((await runCli('calibrate', example('observations.jsonl'), '-o', dir)).stderr).toBe(
      `${dir}: cannot write the file (is a directory); expected a path in a writable directory\n`,
    );
  });

  it("warns when the calibration file has no fit for the spec's profile, and uses its pooled fit", async () => {
    const out = join(dir, 'calib-a100.json');
    expect((await runCli('calibrate', example('observations.jsonl'), '-o', out)).code).toBe(0);
    const r = await runCli('forecast', example('random-search-dense.yaml'), '--calibration', out, '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `wattprint: warning: ${out} has no calibration for nvidia-l4 (it has nvidia-a100-sxm4-80gb); its pooled fit over 7 observations of other profiles is used\n`,
    );
    expect(JSON.parse(r.stdout).calibration).toMatchObject({ profile: 'nvidia-l4', basis: 'pooled', observations: 7 });
    const table = await runCli('forecast', example('random-search-dense.yaml'), '--calibration', out);
    expect(table.stdout).toContain(`Calibration: pooled fit of ${out} over 7 observations of other profiles (none for nvidia-l4)`);
    const noPooled = JSON.parse(readFileSync(out, 'utf8'));
    delete noPooled.pooled;
    const bare = file('bare-calib.json', noPooled);
    expect((await runCli('forecast', example('random-search-dense.yaml'), '--calibration', bare, '--json')).stderr).toBe(
      `wattprint: warning: ${bare} has no calibration for nvidia-l4 (it has nvidia-a100-sxm4-80gb); the forecast is uncalibrated\n`,
    );
    expect((await runCli('forecast', example('mnist-dedicated.yaml'), '--calibration', out)).stderr).toBe('');
  });

  it('reads observations from a JSON list as well', async () => {
    const lines = readFileSync(example('observations.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const r = await runCli('calibrate', file('obs.json', lines), '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).profiles['nvidia-a100-sxm4-80gb'].observations).toBe(7);
  });
});

describe('wattprint hardware list', () => {
  it('lists every profile, and every figure with its source in JSON', async () => {
    const table = await runCli('hardware', 'list');
    for (const p of HARDWARE_CATALOGUE) expect(table.stdout).toContain(p.id);
    const json = JSON.parse((await runCli('hardware', 'list', '--json')).stdout);
    expect(json.map((p: { id: string }) => p.id)).toContain('generic-cpu');
    expect(json[0].tdpW.source).toMatch(/whitepaper|datasheet/);
  });
});

describe('bad input: one line per problem, naming the path, the value and what was expected', () => {
  const bad = async (...argv: string[]) => {
    const r = await runCli(...argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    return r.stderr.trimEnd().split('\n');
  };

  it('unknown key', async () => {
    const path = file('unknown-key.json', { ...mnist(), hardware: { profile: 'nvidia-l4', gpus: 2 } });
    expect(await bad('forecast', path)).toEqual([`${path}: hardware.gpus: unknown key "gpus"`]);
  });

  it('wrong type', async () => {
    const path = file('wrong-type.yaml', readFileSync(example('mnist-dedicated.yaml'), 'utf8').replace('epochs: 15', 'epochs: fifteen'));
    expect(await bad('forecast', path)).toEqual([`${path}: training.epochs: got "fifteen"; expected a positive integer`]);
  });

  it('negative count', async () => {
    const path = file('negative.json', { ...mnist(), inference: { count: -1000 } });
    expect(await bad('forecast', path)).toEqual([`${path}: inference.count: got -1000; expected a non-negative number`]);
  });

  it('unknown profile', async () => {
    const path = file('profile.json', { ...mnist(), hardware: { profile: 'nvidia-b300' } });
    expect(await bad('forecast', path)).toEqual([
      `${path}: hardware.profile: got "nvidia-b300"; expected a profile id listed by \`wattprint hardware list\``,
    ]);
  });

  it('unbound $name', async () => {
    const spec = mnist();
    spec.model.layers[0].filters = '$filters';
    const path = file('unbound.json', spec);
    expect(await bad('forecast', path)).toEqual([
      `${path}: model.layers.0.filters: got "$filters", which is unbound; expected a number or a $name from search.space (no search.space given)`,
    ]);
  });

  it('several problems at once', async () => {
    const path = file('several.json', { ...mnist(), hardware: { profile: 'nvidia-l4', count: -2 }, training: { samples: 0, epochs: 1 } });
    expect(await bad('forecast', path)).toEqual([
      `${path}: hardware.count: got -2; expected a positive integer`,
      `${path}: training.samples: got 0; expected a positive number or a $name from search.space`,
    ]);
  });

  it('unreadable file', async () => {
    const missing = join(dir, 'missing.yaml');
    expect(await bad('forecast', missing)).toEqual([
      `${missing}: cannot read the file (no such file); expected a readable JSON or YAML file`,
    ]);
    expect(await bad('forecast', dir)).toEqual([`${dir}: cannot read the file (is a directory); expected a readable JSON or YAML file`]);
  });

  it('a file that does not parse', async () => {
    const yaml = file('broken.yaml', 'model: [1, 2\nhardware: {');
    const [line] = await bad('forecast', yaml);
    expect(line).toMatch(
      new RegExp(`^${yaml.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: not valid YAML \\(.+\\); expected a YAML or JSON document$`),
    );
    const json = file('broken.json', '{"model": ');
    expect((await bad('forecast', json))[0]).toMatch(/broken\.json: not valid JSON \(.+\); expected a JSON document$/);
  });

  it('a bad calibration file, a bad observation, a bad intensity series', async () => {
    const calib = file('bad-calib.json', { version: 1, profiles: {} });
    expect(await bad('forecast', example('mnist-dedicated.yaml'), '--calibration', calib)).toEqual([
      `${calib}: version: got 1; expected 2 (re-run \`wattprint calibrate\` to write this version)`,
    ]);
    const obs = file(
      'bad.jsonl',
      `${readFileSync(example('observations.jsonl'), 'utf8').split('\n')[0]}\n{"spec": {}, "measured": {"energyKWh": 1}}\nnot json\n`,
    );
    const lines = await bad('calibrate', obs);
    expect(lines).toEqual([expect.stringMatching(/bad\.jsonl:3: not valid JSON \(.+\); expected one observation per line$/)]);
    const obs2 = file(
      'bad2.jsonl',
      '{"spec": {"model": {"flopsPerSample": 1}, "hardware": {"profile": "nvidia-l4"}}, "measured": {"energyKWh": 1, "durationS": -4}}\n',
    );
    expect(await bad('calibrate', obs2)).toEqual([`${obs2}:1.measured.durationS: got -4; expected a positive number`]);
    expect(await bad('calibrate', file('empty.json', []))).toEqual(['(root): got no observations; expected at least one measured run']);
    const csv = file('grid.csv', 'timestamp,g\n2026-12-01T00:00:00Z,300\n2026-12-01T02:00:00Z,200\n');
    expect(await bad('forecast', example('scheduled-training.yaml'), '--intensity', `example-grid=${csv}`)).toEqual([
      `${csv}:3: got 2026-12-01T02:00:00Z; expected the next hour, 2026-12-01T01:00:00.000Z`,
    ]);
  });

  it('a region with no series given', async () => {
    expect(await bad('forecast', example('scheduled-training.yaml'))).toEqual([
      `${example('scheduled-training.yaml')}: site.region: got "example-grid"; expected a region whose hourly intensity series is supplied (none supplied), or site.intensity`,
    ]);
  });

  it("usage errors exit non-zero with commander's message", async () => {
    const r = await runCli('forecast');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing required argument 'spec'/);
    expect((await runCli('frobnicate')).code).toBe(1);
    const help = await runCli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/forecast[\s\S]*calibrate[\s\S]*hardware[\s\S]*accuracy/);
  });
});
