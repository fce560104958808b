/**
 * Budgets end to end on the real collector (API role, migrated database of each dialect, Redis):
 * CRUD and team scoping, status equal to the usage report, admission verdicts, threshold alerts
 * delivered once through a signed webhook to a real HTTP receiver that is down for a while, a
 * pending delivery that survives a collector restart, the metrics, and `wattprint run --budget-check`.
 */
import { mkdtempSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { HOUR_MS, MINUTE_MS } from '@wattprint/carbon';
import { connect, type DatabaseHandle, type NewRow } from '@wattprint/db';
import { DIALECTS, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import request from 'supertest';
import { parse } from 'yaml';
import { createCollectorApp } from '../src/bootstrap';
import { verifySignature } from '../src/budgets/webhook-signature';
import { WebhookOutboxRepository } from '../src/budgets/webhook-outbox.repository';
import { parseCollectorConfig } from '../src/config/collector-config';
import { buildCli, wattprintBin } from './support/cli-bin';
import { REDIS_URL, TestProducer, freshQueuePrefix, metricValue } from './support/collector-harness';
import { testLogger } from './support/test-logger';
import { waitFor } from './support/wait-for';

jest.setTimeout(120_000);

const BOOTSTRAP = 'bootstrap-secret-for-budget-tests-0123';
const SECRET = 'webhook-secret-for-tests-0123456789';
const SPEC_PATH = join(__dirname, '../../../examples/mnist-dedicated.yaml');
const SPEC = parse(readFileSync(SPEC_PATH, 'utf8')) as Record<string, unknown>;
const auth = (secret: string) => ({ Authorization: `Bearer ${secret}` });

/** A webhook receiver on a fixed port that can be stopped and started again, as a real one goes down and comes back. */
class Receiver {
  readonly received: Array<{ body: string; signature: string | undefined; delivery: string | undefined }> = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: req.headers['x-wattprint-signature'] as string | undefined,
          delivery: req.headers['x-wattprint-delivery'] as string | undefined,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** The deliveries of one budget's alerts. */
  of(budgetId: string) {
    return this.received.filter((r) => (JSON.parse(r.body) as { budget: { id: string } }).budget.id === budgetId);
  }
}

function bucket(jobId: string, minuteStart: number, joules: number): NewRow<'energy_buckets'> {
  return {
    job_id: jobId,
    node: 'gpu-node-1',
    device: 'gpu0',
    device_kind: 'gpu',
    minute_start: minuteStart,
    hour_start: minuteStart - (minuteStart % HOUR_MS),
    joules,
    samples: 60,
    duration_ms: 60_000,
    peak_power_w: null,
  };
}

function job(id: string, team: string, at: number, state: 'running' | 'ended' = 'ended', forecastId: string | null = null): NewRow<'jobs'> {
  return {
    id,
    state,
    inferred: 0,
    name: id,
    user: 'u',
    team,
    project: 'p',
    cluster: 'c',
    scheduler: null,
    scheduler_job_id: null,
    labels: null,
    forecast_id: forecastId,
    started_at: at,
    ended_at: state === 'ended' ? at + 10 * MINUTE_MS : null,
    exit_code: null,
    first_seen_at: at,
    last_seen_at: at + 10 * MINUTE_MS,
  };
}

describe.each(DIALECTS)('budgets on %s', (dialect) => {
  let testDb: TestDatabase;
  let db: DatabaseHandle;
  let app: INestApplication | undefined;
  let prefix: string;
  const receiver = new Receiver();
  let admin: string;
  const now = Date.now();
  // whole minutes well inside this month, so a monthly budget and the report see the same energy
  const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
  const seedAt = Math.max(monthStart, now - 6 * HOUR_MS) - ((Math.max(monthStart, now - 6 * HOUR_MS) - monthStart) % MINUTE_MS);

  async function startApp(): Promise<INestApplication> {
    const config = parseCollectorConfig({
      DATABASE_URL: testDb.url,
      REDIS_URL,
      WATTPRINT_QUEUE_PREFIX: prefix,
      WATTPRINT_ROLE: 'api',
      WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP,
      WATTPRINT_RATE_LIMIT_PER_MINUTE: '100000',
      WATTPRINT_BUDGET_EVERY_MS: '150',
      WATTPRINT_WEBHOOK_URL: receiver.url,
      WATTPRINT_WEBHOOK_SECRET: SECRET,
      WATTPRINT_WEBHOOK_POLL_MS: '50',
      WATTPRINT_WEBHOOK_RETRY_MIN_MS: '100',
      WATTPRINT_WEBHOOK_RETRY_MAX_MS: '300',
      WATTPRINT_WEBHOOK_TIMEOUT_MS: '1000',
      PORT: '0',
    });
    const started = await createCollectorApp(config, { logger: testLogger() });
    await started.listen(0, '127.0.0.1');
    return started;
  }

  const http = () => request(app!.getHttpServer());
  const baseUrl = () => `http://127.0.0.1:${(app!.getHttpServer().address() as AddressInfo).port}`;

  async function token(body: Record<string, unknown>): Promise<string> {
    const res = await http().post('/api/v1/tokens').set(auth(admin)).send(body);
    expect(res.status).toBe(201);
    return res.body.secret as string;
  }

  async function usageTotals(team: string, from: string, to: string) {
    const res = await http().get('/api/v1/usage').query({ groupBy: 'team', team, from, to }).set(auth(admin));
    expect(res.status).toBe(200);
    return res.body.totals as { facilityEnergyKWh: number; co2eqKg: number };
  }

  async function createBudget(body: Record<string, unknown>): Promise<{ id: string; status: { spent: number } }> {
    const res = await http().post('/api/v1/budgets').set(auth(admin)).send(body);
    expect(res.status).toBe(201);
    return res.body;
  }

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    prefix = freshQueuePrefix();
    await receiver.start();
    app = await startApp();
    db = connect({ url: testDb.url, poolSize: 2 });
    // the bootstrap token makes the first admin token, then is refused
    const res = await http().post('/api/v1/tokens').set(auth(BOOTSTRAP)).send({ name: 'admin', role: 'admin' });
    admin = res.body.secret as string;
    await db.db
      .insertInto('jobs')
      .values([
        job('v-1', 'vision', seedAt),
        job('n-1', 'nlp', seedAt),
        job('m-1', 'ml', seedAt),
        job('a-1', 'alerts', seedAt),
        job('r-1', 'restart', seedAt),
      ])
      .execute();
    const rows: NewRow<'energy_buckets'>[] = [];
    for (let i = 0; i < 10; i++) {
      rows.push(bucket('v-1', seedAt + i * MINUTE_MS, 360_000 * (i + 1)));
      rows.push(bucket('n-1', seedAt + i * MINUTE_MS, 100_000));
      rows.push(bucket('m-1', seedAt + i * MINUTE_MS, 200_000));
      rows.push(bucket('a-1', seedAt + i * MINUTE_MS, 300_000));
      rows.push(bucket('r-1', seedAt + i * MINUTE_MS, 300_000));
    }
    await db.db.insertInto('energy_buckets').values(rows).execute();
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await receiver.stop();
    await new TestProducer(prefix).dispose();
    await testDb?.drop();
  });

  it('creates, lists, reads, replaces and deletes budgets; a team viewer reads its own team only and writes nothing', async () => {
    const created = await createBudget({ name: 'Vision monthly', team: 'vision', unit: 'kWh', amount: 1000, period: 'month' });
    expect(created).toMatchObject({
      name: 'Vision monthly',
      team: 'vision',
      unit: 'kWh',
      amount: 1000,
      period: 'month',
      thresholds: [0.8, 1],
    });
    const other = await createBudget({
      name: 'NLP Q',
      team: 'nlp',
      unit: 'kgCO2eq',
      amount: 50,
      period: 'quarter',
      thresholds: [0.5, 0.9, 1],
    });

    const visionViewer = await token({ name: 'vv', role: 'viewer', team: 'vision' });
    const list = await http().get('/api/v1/budgets').set(auth(visionViewer));
    expect(list.status).toBe(200);
    expect(list.body.budgets.map((b: { id: string }) => b.id)).toEqual([created.id]);
    expect((await http().get(`/api/v1/budgets/${other.id}`).set(auth(visionViewer))).status).toBe(404);
    expect((await http().get(`/api/v1/budgets/${other.id}/status`).set(auth(visionViewer))).status).toBe(404);
    expect((await http().get(`/api/v1/budgets/${created.id}/status`).set(auth(visionViewer))).status).toBe(200);
    expect(
      (
        await http()
          .post('/api/v1/budgets')
          .set(auth(visionViewer))
          .send({ name: 'x', team: 'vision', unit: 'kWh', amount: 1, period: 'month' })
      ).status,
    ).toBe(403);
    expect((await http().delete(`/api/v1/budgets/${created.id}`).set(auth(visionViewer))).status).toBe(403);
    const all = await http().get('/api/v1/budgets').query({ status: 'false' }).set(auth(admin));
    expect(all.body.budgets).toHaveLength(2);
    expect(all.body.budgets[0].status).toBeUndefined();

    const replaced = await http()
      .put(`/api/v1/budgets/${other.id}`)
      .set(auth(admin))
      .send({
        name: 'NLP custom',
        team: 'nlp',
        unit: 'kWh',
        amount: 70,
        period: 'custom',
        from: new Date(now - 86_400_000).toISOString(),
        to: new Date(now + 86_400_000).toISOString(),
      });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ name: 'NLP custom', period: 'custom', amount: 70 });
    expect((await http().delete(`/api/v1/budgets/${other.id}`).set(auth(admin))).status).toBe(204);
    expect((await http().get(`/api/v1/budgets/${other.id}`).set(auth(admin))).status).toBe(404);
    expect((await http().delete(`/api/v1/budgets/${other.id}`).set(auth(admin))).status).toBe(404);
  });

  it('refuses hostile budgets with a 400 naming the field, the value and what was expected', async () => {
    const base = { name: 'b', team: 't', unit: 'kWh', amount: 10, period: 'month' };
    const problems = async (body: Record<string, unknown>) => {
      const res = await http().post('/api/v1/budgets').set(auth(admin)).send(body);
      expect(res.status).toBe(400);
      return (res.body.problems as Array<{ path: string; message: string }>).map((p) => `${p.path}: ${p.message}`).join('\n');
    };
    expect(await problems({ ...base, amount: -5 })).toMatch(/amount: expected an amount above 0.*-5/);
    expect(await problems({ ...base, amount: 1e308 })).toMatch(/amount: expected an amount of at most 1000000000000/);
    expect(await problems({ ...base, amount: 'NaN' })).toMatch(/amount: expected a number/);
    expect(await problems({ ...base, unit: 'MWh' })).toMatch(/unit: expected kWh \(facility energy\) or kgCO2eq.*MWh/);
    expect(await problems({ ...base, name: 'a\u0000b' })).toMatch(/name: expected no control characters/);
    expect(await problems({ ...base, team: 'x\u0000' })).toMatch(/team: expected no control characters/);
    expect(await problems({ ...base, period: 'custom', from: '2026-12-10T00:00:00Z', to: '2026-12-01T00:00:00Z' })).toMatch(
      /to: expected a time after from \(2026-12-10T00:00:00.000Z\).*2026-12-01/,
    );
    expect(await problems({ ...base, period: 'custom' })).toMatch(/from: expected the start of a custom period/);
    expect(await problems({ ...base, from: '2026-12-01T00:00:00Z' })).toMatch(/from: expected no from unless period is custom/);
    expect(await problems({ ...base, thresholds: [1, 0.8] })).toMatch(/thresholds: expected thresholds in ascending order/);
    expect((await http().get('/api/v1/budgets/bad%00id').set(auth(admin))).status).toBe(400);
  });

  it("gives a budget's spent exactly the usage report's figure for the team and period, in both units", async () => {
    const kwh = await createBudget({ name: 'V kWh', team: 'vision', unit: 'kWh', amount: 500, period: 'month' });
    const co2 = await createBudget({ name: 'V CO2', team: 'vision', unit: 'kgCO2eq', amount: 500, period: 'month' });
    const status = (await http().get(`/api/v1/budgets/${kwh.id}/status`).set(auth(admin))).body;
    const totals = await usageTotals('vision', status.periodStart, status.periodEnd);
    expect(totals.facilityEnergyKWh).toBeGreaterThan(0);
    expect(status.spent).toBe(totals.facilityEnergyKWh);
    expect(status.remaining).toBe(500 - totals.facilityEnergyKWh);
    const co2Status = (await http().get(`/api/v1/budgets/${co2.id}/status`).set(auth(admin))).body;
    expect(co2Status.spent).toBe(totals.co2eqKg);
    const elapsedDays = (now - Date.parse(status.periodStart)) / 86_400_000;
    expect(status.burnRatePerDay).toBeGreaterThan(0);
    expect(status.burnRatePerDay).toBeLessThanOrEqual(status.spent / elapsedDays);
    expect(status.projected).toBeGreaterThan(status.spent);
    for (const id of [kwh.id, co2.id]) await http().delete(`/api/v1/budgets/${id}`).set(auth(admin));
  });

  it("adds the remaining forecast of the team's running jobs to the projection", async () => {
    const fc = await http().post('/api/v1/forecasts').set(auth(admin)).send(SPEC);
    expect(fc.status).toBe(201);
    const from = new Date(now - 86_400_000).toISOString();
    const to = new Date(now + 86_400_000).toISOString();
    const b = await createBudget({ name: 'runs', team: 'runners', unit: 'kWh', amount: 1000, period: 'custom', from, to });
    const before = (await http().get(`/api/v1/budgets/${b.id}/status`).set(auth(admin))).body;
    expect(before.runningForecastRemaining).toBe(0);
    await db.db
      .insertInto('jobs')
      .values(job('run-1', 'runners', Date.now(), 'running', fc.body.id))
      .execute();
    const after = (await http().get(`/api/v1/budgets/${b.id}/status`).set(auth(admin))).body;
    const p50 = fc.body.result.facilityEnergyKWh.p50 as number;
    expect(after.runningForecastRemaining).toBeGreaterThan(0);
    expect(after.runningForecastRemaining).toBeLessThanOrEqual(p50);
    expect(after.projected).toBeCloseTo(before.projected + after.runningForecastRemaining, 9);
    await http().delete(`/api/v1/budgets/${b.id}`).set(auth(admin));
  });

  it('answers admission allow, warn or refuse with the figures, to scheduler and admin tokens', async () => {
    const scheduler = await token({ name: 'slurm', role: 'scheduler' });
    const otherViewer = await token({ name: 'ov', role: 'viewer', team: 'vision' });
    const fc = (await http().post('/api/v1/forecasts').set(auth(admin)).send(SPEC)).body.result;
    const [p50, p90] = [fc.facilityEnergyKWh.p50 as number, fc.facilityEnergyKWh.p90 as number];
    const from = new Date(now - 86_400_000).toISOString();
    const to = new Date(now + 86_400_000).toISOString();
    const budget = await createBudget({ name: 'ML day', team: 'ml', unit: 'kWh', amount: 1e6, period: 'custom', from, to });
    const spent = budget.status.spent;
    const admit = (secret: string, team = 'ml') => http().post('/api/v1/admission').set(auth(secret)).send({ team, spec: SPEC });

    const none = await admit(scheduler, 'nobody');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ verdict: 'allow', line: 'allow: team nobody has no budget', budgets: [] });

    const allowed = await admit(scheduler);
    expect(allowed.body.verdict).toBe('allow');
    expect(allowed.body.budgets[0]).toMatchObject({ budgetId: budget.id, amount: 1e6, spent, jobP50: p50, jobP90: p90 });
    expect(typeof allowed.body.forecastId).toBe('string');

    const setAmount = (amount: number) =>
      http()
        .put(`/api/v1/budgets/${budget.id}`)
        .set(auth(admin))
        .send({ name: 'ML day', team: 'ml', unit: 'kWh', amount, period: 'custom', from, to });
    expect(p90).toBeGreaterThan(p50);
    await setAmount(spent + (p50 + p90) / 2);
    const warned = await admit(admin);
    expect(warned.body.verdict).toBe('warn');
    expect(warned.body.line).toMatch(
      /^warn: job forecast .* kWh \(p50; p90 .*\) may overrun budget "ML day" of team ml: .* spent, .* projected by /,
    );

    await setAmount(spent + p50 / 2);
    const refused = await admit(scheduler);
    expect(refused.body.verdict).toBe('refuse');
    expect(refused.body.line).toMatch(/^refuse: job forecast .* would overrun budget "ML day" of team ml/);
    expect(refused.body.budgets[0].amount).toBeCloseTo(spent + p50 / 2, 9);

    expect((await admit(otherViewer)).status).toBe(403);
    const bad = await http()
      .post('/api/v1/admission')
      .set(auth(scheduler))
      .send({ team: 'ml', spec: { ...SPEC, model: 42 } });
    expect(bad.status).toBe(400);
    expect(bad.body.problems[0].path).toMatch(/^spec/);
    const noTeam = await http().post('/api/v1/admission').set(auth(scheduler)).send({ team: 'a\u0000', spec: SPEC });
    expect(noTeam.status).toBe(400);
  });

  it('`wattprint run --budget-check enforce` refuses with exit status 3 and one line; warn runs; an unreachable collector runs', async () => {
    buildCli();
    const viewer = await token({ name: 'ml-viewer', role: 'viewer', team: 'ml' });
    const dir = mkdtempSync(join(tmpdir(), 'wattprint-budget-'));
    const marker = join(dir, 'ran');
    const cmd = [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`];
    try {
      const args = (mode: string, url = baseUrl()) => [
        'run',
        '--forecast',
        SPEC_PATH,
        '--budget-check',
        mode,
        '--team',
        'ml',
        '--url',
        url,
        '--no-report',
        '--',
        ...cmd,
      ];
      const enforced = await wattprintBin(args('enforce'), { WATTPRINT_TOKEN: viewer });
      expect(enforced.stderr).toMatch(
        /wattprint run: budget check: refuse: job forecast .* would overrun budget "ML day" of team ml: .*; not started \(exit status 3\)/,
      );
      expect(enforced.code).toBe(3);
      expect(existsSync(marker)).toBe(false);

      const warned = await wattprintBin(args('warn'), { WATTPRINT_TOKEN: viewer });
      expect(warned.stderr).toMatch(/budget check: refuse: /);
      expect(warned.code).toBe(0);
      expect(existsSync(marker)).toBe(true);
      rmSync(marker);

      const away = await wattprintBin(args('enforce', 'http://127.0.0.1:9'), { WATTPRINT_TOKEN: viewer });
      expect(away.stderr).toMatch(/budget check skipped, running anyway/);
      expect(away.code).toBe(0);
      expect(existsSync(marker)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('alerts once per threshold through a signed webhook, retried while the receiver is down, kept across a restart', async () => {
    // counted from here: a delivery of an earlier test may have failed once (a timeout under load) and been retried
    const failedBefore = metricValue((await http().get('/metrics')).text, 'wattprint_webhook_deliveries_total{result="failed"}');
    await receiver.stop();
    const ratioOf = async (team: string) => {
      const totals = await usageTotals(team, new Date(monthStart).toISOString(), new Date(now + 86_400_000).toISOString());
      return totals.facilityEnergyKWh;
    };
    // 90 % spent: the 0.8 threshold is crossed, 1.0 is not
    const alerts = await createBudget({
      name: 'Alerts',
      team: 'alerts',
      unit: 'kWh',
      amount: (await ratioOf('alerts')) / 0.9,
      period: 'month',
    });
    const pendingRows = () => db.db.selectFrom('webhook_outbox').selectAll().where('delivered_at', 'is', null).execute();
    await waitFor('two failed deliveries of the alert', async () => (await pendingRows()).some((r) => Number(r.attempts) >= 2), 20_000);
    const pending = await pendingRows();
    expect(pending).toHaveLength(1);
    expect(Number(pending[0].attempts)).toBeGreaterThanOrEqual(2);
    expect(pending[0].last_error).toBeTruthy();
    const failed = metricValue((await http().get('/metrics')).text, 'wattprint_webhook_deliveries_total{result="failed"}');
    expect(failed - failedBefore).toBeGreaterThanOrEqual(2);

    await receiver.start();
    await waitFor('the alert delivered', async () => receiver.of(alerts.id).length > 0, 20_000);
    const [delivery] = receiver.of(alerts.id);
    expect(verifySignature(SECRET, delivery.body, delivery.signature)).toBe(true);
    expect(verifySignature('another-secret-0123456789', delivery.body, delivery.signature)).toBe(false);
    const payload = JSON.parse(delivery.body);
    expect(payload).toMatchObject({
      event: 'budget.threshold_crossed',
      threshold: 0.8,
      budget: { id: alerts.id, team: 'alerts', unit: 'kWh' },
    });
    expect(payload.status.spentRatio).toBeCloseTo(0.9, 9);
    expect(delivery.delivery).toBe(payload.id);

    const metrics = (await http().get('/metrics')).text;
    expect(metricValue(metrics, `wattprint_budget_spent_ratio{budget="${alerts.id}",team="alerts"}`)).toBeCloseTo(0.9, 6);
    expect(metricValue(metrics, `wattprint_budget_projected_ratio{budget="${alerts.id}",team="alerts"}`)).toBeGreaterThan(0.9);
    expect(metricValue(metrics, 'wattprint_webhook_deliveries_total{result="delivered"}')).toBeGreaterThanOrEqual(1);

    // the receiver goes down again; a second budget crosses; the collector stops with its delivery pending
    await receiver.stop();
    const restart = await createBudget({
      name: 'Restart',
      team: 'restart',
      unit: 'kWh',
      amount: (await ratioOf('restart')) / 1.5,
      period: 'month',
    });
    await waitFor(
      'two pending deliveries',
      async () => {
        const rows = await db.db.selectFrom('webhook_outbox').select('attempts').where('delivered_at', 'is', null).execute();
        return rows.length === 2 && rows.every((r) => Number(r.attempts) >= 1);
      },
      20_000,
    );
    await app!.close();
    app = undefined;
    await receiver.start();
    app = await startApp();
    await waitFor('the pending deliveries after restart', async () => receiver.of(restart.id).length >= 2, 20_000);
    // evaluation runs every 150 ms: give it many passes to raise anything twice
    await new Promise((r) => setTimeout(r, 1500));
    const restartDeliveries = receiver
      .of(restart.id)
      .map((d) => JSON.parse(d.body).threshold as number)
      .sort();
    expect(restartDeliveries).toEqual([0.8, 1]);
    expect(receiver.of(alerts.id)).toHaveLength(1);
    for (const d of receiver.received) expect(verifySignature(SECRET, d.body, d.signature)).toBe(true);
    const undelivered = await db.db.selectFrom('webhook_outbox').select('id').where('delivered_at', 'is', null).execute();
    expect(undelivered).toHaveLength(0);
    const raised = await db.db.selectFrom('budget_alerts').selectAll().where('budget_id', 'in', [alerts.id, restart.id]).execute();
    expect(raised).toHaveLength(3);
  });

  it('lets replicas claiming at once take each due delivery once, and raise each alert once', async () => {
    // Two connections on PostgreSQL, as two replicas have. SQLite replicas are processes of their own:
    // two connections in one process would wait on each other's lock with the event loop blocked.
    const other = dialect === 'postgres' ? connect({ url: testDb.url, poolSize: 2 }) : db;
    // far in the future, so the running collector's own delivery pass never finds these rows due
    const at = Date.now() + 1e12;
    try {
      const [a, b] = [new WebhookOutboxRepository(db), new WebhookOutboxRepository(other)];
      const raised = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (i % 2 === 0 ? a : b).raise(
            { budgetId: `replica-${i % 15}`, periodStart: at, threshold: 0.8, spent: 1, raisedAt: at },
            { event: 'test', body: (id) => JSON.stringify({ id }) },
          ),
        ),
      );
      expect(raised.filter(Boolean)).toHaveLength(15);
      const claims = await Promise.all([a.claim('one', at, at + 2, 10), b.claim('two', at, at + 2, 10), a.claim('three', at, at + 2, 10)]);
      const ids = claims.flat().map((c) => c.id);
      expect(ids).toHaveLength(15);
      expect(new Set(ids).size).toBe(15);
      // leased until at + 2: nobody takes them again before that, anyone after
      expect(await b.claim('four', at + 1, at + 3, 100)).toEqual([]);
      expect(await b.claim('four', at + 5, at + 6, 100)).toHaveLength(15);
    } finally {
      await db.db.deleteFrom('webhook_outbox').where('event', '=', 'test').execute();
      await db.db.deleteFrom('budget_alerts').where('budget_id', 'like', 'replica-%').execute();
      if (other !== db) await other.close();
    }
  });

  it('shows when each agent last delivered a batch', async () => {
    await db.db.insertInto('agents').values({ id: 'agent-7', node: 'gpu-node-7', key: 'k', created_at: now, last_seen_at: null }).execute();
    expect((await http().get('/metrics')).text).not.toMatch(/wattprint_agent_last_batch_timestamp_seconds\{agent="agent-7"/);
    // what ingest does with every commit of the agent's batches (at most every 5 s; ingest.test.ts checks it)
    await db.db.updateTable('agents').set({ last_seen_at: now }).where('id', '=', 'agent-7').execute();
    const metrics = (await http().get('/metrics')).text;
    expect(metricValue(metrics, 'wattprint_agent_last_batch_timestamp_seconds{agent="agent-7",node="gpu-node-7"}')).toBe(now / 1000);
  });
});
