import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from '@wattprint/db/testing';
import { calibrate, forecast } from '@wattprint/estimation';
import { SearchesModule } from '../src/searches/searches.module';
import { buildCli, waitForFile, wattprintBin } from './support/cli-bin';
import { type ApiHarness, bearer, createToken, startApi } from './reports-harness';

// The CLI runs in processes of its own, on a machine shared with other work: seconds, not milliseconds.
jest.setTimeout(60_000);

/** The launched command: records the environment it was given, then exits 0. */
const CHILD = `require('fs').writeFileSync(process.argv[2] + '/env.json', JSON.stringify(process.env));`;

const A100 = 'nvidia-a100-sxm4-80gb';
const T = Date.UTC(2026, 10, 20, 8);

const SPEC = {
  name: 'sweep',
  model: {
    input: [28, 28, 1],
    layers: [{ type: 'flatten' }, { type: 'dense', units: '$units', activation: 'relu' }, { type: 'dense', units: 10 }],
  },
  hardware: { profile: A100, count: 1 },
  training: { samples: 60_000, epochs: 5, batchSize: 128 },
  search: { strategy: 'random', trials: 4, seed: 1, space: { units: [32, 64] } },
};

/** `wattprint run --search`, `wattprint search status` and `wattprint forecast --url` against the real API. */
describe.each(DIALECTS)('search and calibration commands against the collector on %s', (dialect) => {
  let api: ApiHarness;
  let url: string;
  let admin: string;
  let viewerB: string;
  let dir: string;
  let child: string;

  beforeAll(async () => {
    buildCli();
    api = await startApi(dialect, { WATTPRINT_RATE_LIMIT_PER_MINUTE: '10000', WATTPRINT_CALIBRATION_EVERY_MS: '0' }, [SearchesModule]);
    await api.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    admin = await createToken(api, { name: 'admin', role: 'admin' });
    viewerB = await createToken(api, { name: 'team-b', role: 'viewer', team: 'team-b' }, admin);
    dir = mkdtempSync(join(tmpdir(), 'wattprint-search-'));
    child = join(dir, 'child.js');
    writeFileSync(child, CHILD);
    await api.http().post('/api/v1/searches').set(bearer(admin)).send({ id: 'sweep-cli', spec: SPEC }).expect(201);
  });

  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What the node's agent and the ingest record of a trial: the labels it read from the command's environment, and energy. */
  async function recordTrial(env: Record<string, string>, joules: number): Promise<void> {
    await api.db.db
      .insertInto('jobs')
      .values({
        id: env.WATTPRINT_JOB_ID,
        state: 'ended',
        inferred: 0,
        name: null,
        user: null,
        team: null,
        project: null,
        cluster: null,
        scheduler: 'wrapper',
        scheduler_job_id: null,
        labels: JSON.stringify({ 'wattprint.search': env.WATTPRINT_SEARCH_ID, 'wattprint.trial': env.WATTPRINT_SEARCH_TRIAL }),
        forecast_id: null,
        started_at: T,
        ended_at: T + 60_000,
        exit_code: 0,
        first_seen_at: T,
        last_seen_at: T + 60_000,
      })
      .execute();
    await api.db.db
      .insertInto('energy_buckets')
      .values({
        job_id: env.WATTPRINT_JOB_ID,
        node: 'n1',
        device: 'gpu0',
        device_kind: 'gpu',
        minute_start: T,
        hour_start: T - (T % 3_600_000),
        joules,
        samples: 60,
        duration_ms: 60_000,
        peak_power_w: null,
      })
      .execute();
  }

  it('labels a trial with --search and --trial, or from the scheduler’s WATTPRINT_SEARCH_ID, and refuses bad ones', async () => {
    const d1 = mkdtempSync(join(dir, 't1-'));
    const one = await wattprintBin(
      ['run', '--no-report', '--job-id', `trial-1-${dialect}`, '--search', 'sweep-cli', '--trial', '1', '--', process.execPath, child, d1],
      { WATTPRINT_URL: url, WATTPRINT_TOKEN: admin },
    );
    expect(one.code).toBe(0);
    const env1 = JSON.parse(await waitForFile(join(d1, 'env.json'))) as Record<string, string>;
    expect([env1.WATTPRINT_SEARCH_ID, env1.WATTPRINT_SEARCH_TRIAL]).toEqual(['sweep-cli', '1']);
    await recordTrial(env1, 3_600_000);

    const d2 = mkdtempSync(join(dir, 't2-'));
    const two = await wattprintBin(['run', '--no-report', '--job-id', `trial-2-${dialect}`, '--', process.execPath, child, d2], {
      WATTPRINT_SEARCH_ID: 'sweep-cli',
      WATTPRINT_SEARCH_TRIAL: '2',
    });
    expect(two.code).toBe(0);
    const env2 = JSON.parse(await waitForFile(join(d2, 'env.json'))) as Record<string, string>;
    expect([env2.WATTPRINT_SEARCH_ID, env2.WATTPRINT_SEARCH_TRIAL]).toEqual(['sweep-cli', '2']);
    await recordTrial(env2, 7_200_000);

    const bad = await wattprintBin(['run', '--search', 'bad id', '--trial', 'x', '--', process.execPath, child, dir]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--search: got "bad id"; expected 1 to 128 letters');
    expect(bad.stderr).toContain('--trial: got "x"; expected a whole number');
  });

  it('shows a search: trials, CT so far, forecast and projection, as a table or as the API’s JSON', async () => {
    const table = await wattprintBin(['search', 'status', 'sweep-cli', '--url', url, '--token', admin]);
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^search sweep-cli \(sweep\)\n/);
    expect(table.stdout).toContain('trials:       4 planned, 0 running, 2 ended');
    expect(table.stdout).toContain('CT so far:    3 kWh over the ended trials');
    expect(table.stdout).toMatch(/projection: {3}6 kWh \(p10–p90 \S+ kWh – \S+ kWh\) for 4 trials, from 2 ended/);
    expect(table.stdout).toMatch(/^\s+1 {2}trial-1-\S+ {2}ended {2}\s*1 kWh$/m);
    expect(table.stdout).toMatch(/^\s+2 {2}trial-2-\S+ {2}ended {2}\s*2 kWh$/m);

    const json = await wattprintBin(['search', 'status', 'sweep-cli', '--json'], { WATTPRINT_URL: url, WATTPRINT_TOKEN: admin });
    expect(json.code).toBe(0);
    const api1 = (await api.http().get('/api/v1/searches/sweep-cli').set(bearer(admin))).body;
    expect(JSON.parse(json.stdout)).toEqual(api1);
    expect(api1.measured.endedKWh).toBe(3);

    const hidden = await wattprintBin(['search', 'status', 'sweep-cli', '--url', url, '--token', viewerB]);
    expect(hidden.code).not.toBe(0);
    expect(hidden.stderr).toContain('no search "sweep-cli"');
    const badId = await wattprintBin(['search', 'status', 'a b', '--url', url, '--token', admin]);
    expect(badId.code).not.toBe(0);
    expect(badId.stderr).toContain('<id>: got "a b"');
  });

  it('stores a search from a spec file with search create, and refuses a bad spec naming the path in the file', async () => {
    const created = await wattprintBin([
      'search',
      'create',
      'examples/random-search-dense.yaml',
      '--id',
      `dense-${dialect}`,
      '--url',
      url,
      '--token',
      admin,
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(new RegExp(`^search dense-${dialect} \\(random-search-dense\\)\n`));
    expect(created.stdout).toContain('trials:       40 planned, 0 running, 0 ended');
    expect(created.stdout).toMatch(/CT forecast: {2}\S+ \S?Wh \(p10–p90 /);
    const stored = await api.db.db
      .selectFrom('searches')
      .select(['planned_trials'])
      .where('id', '=', `dense-${dialect}`)
      .executeTakeFirstOrThrow();
    expect(stored.planned_trials).toBe(40);
    const again = await wattprintBin([
      'search',
      'create',
      'examples/random-search-dense.yaml',
      '--id',
      `dense-${dialect}`,
      '--url',
      url,
      '--token',
      admin,
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('exists already');
    const noSearch = await wattprintBin(['search', 'create', 'examples/mnist-dedicated.yaml', '--url', url, '--token', admin]);
    expect(noSearch.code).not.toBe(0);
    expect(noSearch.stderr).toContain('examples/mnist-dedicated.yaml: search: got nothing; expected a search section');
  });

  it('forecasts with the collector’s calibration from its ledger (--url, --token)', async () => {
    const spec = { ...SPEC, search: undefined, model: { ...SPEC.model, layers: [{ type: 'flatten' }, { type: 'dense', units: 10 }] } };
    delete (spec as { search?: unknown }).search;
    const file = calibrate([0.01, 0.012, 0.009].map((energyKWh) => ({ spec, measured: { energyKWh, durationS: 300 } })));
    const fit = file.profiles[A100];
    await api.db.db
      .insertInto('calibration_fits')
      .values({ profile: A100, fit: JSON.stringify(fit), observations: 3, mape: fit.mape, coverage: fit.coverage, fitted_at: T })
      .execute();
    const specPath = join(dir, 'spec.json');
    writeFileSync(specPath, JSON.stringify(spec));
    const res = await wattprintBin(['forecast', specPath, '--json', '--url', url, '--token', admin]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const result = JSON.parse(res.stdout);
    expect(result.calibration).toMatchObject({ profile: A100, basis: 'profile', observations: 3 });
    expect(result).toEqual(forecast(spec, { calibration: { version: 2, profiles: { [A100]: fit } } }));
    expect(result.energyKWh.p50).not.toBe(forecast(spec).energyKWh.p50);

    const both = await wattprintBin(['forecast', specPath, '--url', url, '--token', admin, '--calibration', specPath]);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('--calibration and --url/--token: got both');
    const noToken = await wattprintBin(['forecast', specPath, '--url', url]);
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toContain('--url: given without a token');
  });
});
