import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIALECTS } from '@wattprint/db/testing';
import { forecast } from '@wattprint/estimation';
import { parse } from 'yaml';
// `wattprint run` talks to the collector over HTTP: this test runs the built command, as a user does,
// against the real API.
import { buildCli, waitForFile, wattprintBin } from './support/cli-bin';
import { type ApiHarness, createToken, startApi } from './reports-harness';
import { MINUTE_MS } from '@wattprint/carbon';

// Each test runs the CLI in processes of its own, on a machine shared with other work: seconds, not milliseconds.
jest.setTimeout(60_000);

/** The launched command: records the environment it was given, then waits for a `stop` file holding its exit code. */
const CHILD = `
const fs = require('fs');
const dir = process.argv[2];
// written whole, then renamed: the test reads the file as soon as it exists
fs.writeFileSync(dir + '/env.json.part', JSON.stringify(process.env));
fs.renameSync(dir + '/env.json.part', dir + '/env.json');
const poll = setInterval(() => {
  // the test writes the file in two steps (create, then its code): wait for the code
  const code = fs.existsSync(dir + '/stop') ? fs.readFileSync(dir + '/stop', 'utf8') : '';
  if (code === '') return;
  clearInterval(poll);
  process.exit(Number(code));
}, 10);
`;

const MINUTE = MINUTE_MS;
const START = Date.UTC(2026, 11, 1, 9);

/** The quick-start example: a constant PUE and intensity, so the collector prices it as the library does. */
const SPEC = parse(readFileSync(join(__dirname, '../../../examples/mnist-dedicated.yaml'), 'utf8')) as Record<string, unknown>;

describe.each(DIALECTS)('wattprint run against the collector on %s', (dialect) => {
  let api: ApiHarness;
  let url: string;
  let admin: string;
  let dir: string;
  let child: string;

  beforeAll(async () => {
    buildCli();
    api = await startApi(dialect, { WATTPRINT_RATE_LIMIT_PER_MINUTE: '10000' });
    await api.app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    admin = await createToken(api, { name: 'admin', role: 'admin' });
    dir = mkdtempSync(join(tmpdir(), 'wattprint-run-'));
    child = join(dir, 'child.js');
    writeFileSync(child, CHILD);
  });

  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `wattprint …` as `npx wattprint` would, returning its status and what it printed. */
  const wattprint = (args: string[]) => wattprintBin(args);

  function specFile(name: string, spec: unknown): string {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(spec));
    return path;
  }

  it('stores the forecast before launch, links the job to it, and shows the measured energy beside it at the end', async () => {
    const d = mkdtempSync(join(dir, 'job-'));
    const summaryPath = join(d, 'summary.json');
    const ended = wattprint([
      'run',
      '--url',
      url,
      '--token',
      admin,
      '--forecast',
      specFile('mnist.json', SPEC),
      '--job-id',
      `train-${dialect}`,
      '--team',
      'team-a',
      '--summary',
      summaryPath,
      '--',
      process.execPath,
      child,
      d,
    ]);

    const env = JSON.parse(await waitForFile(join(d, 'env.json'))) as Record<string, string>;
    expect(env.WATTPRINT_JOB_ID).toBe(`train-${dialect}`);
    expect(env.WATTPRINT_TEAM).toBe('team-a');
    expect(env.WATTPRINT_FORECAST_ID).toMatch(/^fc_[0-9a-f]{32}$/);
    const stored = await api.db.db
      .selectFrom('forecasts')
      .selectAll()
      .where('id', '=', env.WATTPRINT_FORECAST_ID)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.spec)).toEqual(SPEC);
    const p50 = forecast(SPEC).energyKWh.p50;
    expect(stored.energy_kwh_p50).toBe(p50);

    // What the node's agent and this collector's ingest record for the job while it runs: the agent's start
    // event carries the metadata it read from the command's environment, and its samples fill the buckets.
    await api.db.db
      .insertInto('jobs')
      .values({
        id: env.WATTPRINT_JOB_ID,
        state: 'running',
        inferred: 0,
        name: env.WATTPRINT_JOB_NAME,
        user: null,
        team: env.WATTPRINT_TEAM,
        project: null,
        cluster: null,
        scheduler: 'wrapper',
        scheduler_job_id: null,
        labels: null,
        forecast_id: env.WATTPRINT_FORECAST_ID,
        started_at: START,
        ended_at: null,
        exit_code: null,
        first_seen_at: START,
        last_seen_at: START + 2 * MINUTE,
      })
      .execute();
    const measuredJ = p50 * 0.9 * 3.6e6;
    await api.db.db
      .insertInto('energy_buckets')
      .values([
        {
          job_id: env.WATTPRINT_JOB_ID,
          node: 'gpu07',
          device: 'gpu0',
          device_kind: 'gpu',
          minute_start: START,
          hour_start: START,
          joules: measuredJ / 2,
          samples: 60,
          duration_ms: MINUTE,
          peak_power_w: 400,
        },
        {
          job_id: env.WATTPRINT_JOB_ID,
          node: 'gpu07',
          device: 'gpu0',
          device_kind: 'gpu',
          minute_start: START + MINUTE,
          hour_start: START,
          joules: measuredJ / 2,
          samples: 60,
          duration_ms: MINUTE,
          peak_power_w: 410,
        },
      ])
      .execute();
    writeFileSync(join(d, 'stop'), '0');

    const { code, stderr } = await ended;
    expect(code).toBe(0);
    const lines = stderr.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^wattprint: job train-${dialect}; forecast ${env.WATTPRINT_FORECAST_ID}: \\S+ \\w?Wh \\(p10–p90 `),
    );
    expect(lines[2]).toMatch(
      /^wattprint: in the ledger so far: \S+ \w?Wh IT, \S+ \w?Wh facility, \S+ \w?g CO2eq, 0\.0333 GPU-hours; 0\.9× the forecast p50 \((within|outside) p10–p90\)$/,
    );

    const summary = JSON.parse(readFileSync(summaryPath, 'utf8'));
    expect(summary.forecast).toEqual({
      id: env.WATTPRINT_FORECAST_ID,
      energyKWh: forecast(SPEC).energyKWh,
      co2eqKg: forecast(SPEC).co2eqKg,
    });
    expect(summary.ledger.energyKWh).toBeCloseTo(p50 * 0.9, 12);
    // The rest is what the reports API says of the job, passed on as it is.
    const job = await api.http().get(`/api/v1/jobs/${env.WATTPRINT_JOB_ID}`).set('Authorization', `Bearer ${admin}`);
    expect(summary.ledger).toEqual({
      ...job.body.energy,
      energyMissing: false,
      forecastRatio: job.body.forecast.measuredOverForecastP50,
      withinForecastInterval: job.body.forecast.withinP10P90,
    });
    expect(summary.ledger.gpuHours).toBeCloseTo(2 / 60, 12);
    expect(summary.ledger.samples).toBe(120);
    expect(summary.ledger.forecastRatio).toBeCloseTo(0.9, 12);
    expect(summary.ledgerProblem).toBeNull();
  });

  it('says when the ledger has nothing for the job yet, and never lets the report change the status', async () => {
    const quiet = await wattprint([
      'run',
      '--url',
      url,
      '--token',
      admin,
      '--job-id',
      `nothing-${dialect}`,
      '--',
      process.execPath,
      '-e',
      'process.exit(2)',
    ]);
    expect(quiet.code).toBe(2);
    expect(quiet.stderr).toContain(
      `wattprint: the collector has no energy for job nothing-${dialect} yet: is the Wattprint agent running on this node?`,
    );

    const refused = await wattprint([
      'run',
      '--url',
      url,
      '--token',
      'not-a-token',
      '--job-id',
      `refused-${dialect}`,
      '--',
      process.execPath,
      '-e',
      'process.exit(0)',
    ]);
    expect(refused.code).toBe(0);
    expect(refused.stderr).toMatch(
      /^wattprint: could not read the job from the collector: the collector refused the token \(401\): .*WATTPRINT_TOKEN/m,
    );
  });

  it('refuses to launch when the spec is bad or the collector cannot store the forecast, naming what to fix', async () => {
    const d = mkdtempSync(join(dir, 'refused-'));
    const badSpec = specFile('bad.json', { ...SPEC, hardware: { profile: 'nvidia-quantum-9000', count: 1 } });
    const bad = await wattprint(['run', '--url', url, '--token', admin, '--forecast', badSpec, '--', process.execPath, child, d]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^${badSpec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: hardware\\.profile: .*nvidia-quantum-9000`));

    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const unreachable = await wattprint([
      'run',
      '--url',
      deadUrl,
      '--token',
      admin,
      '--forecast',
      specFile('ok.json', SPEC),
      '--',
      process.execPath,
      child,
      d,
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe(`cannot reach the collector at ${deadUrl}: ECONNREFUSED (set --url or WATTPRINT_URL)\n`);

    expect(existsSync(join(d, 'env.json'))).toBe(false);
  });
});
