// The collector's HTTP figures as Prometheus scrapes them: every answer counted by method, route
// template and status — those written by guards (401), validation (400), Express (404) and the
// handlers alike — and never a raw id or query string in a label; from a real app on SQLite and Redis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { connect } from '@wattprint/db';
import { sql } from 'kysely';
import request from 'supertest';
import { createCollectorApp } from '../src/bootstrap';
import { parseCollectorConfig } from '../src/config/collector-config';
import { REDIS_URL, freshQueuePrefix, metricValue } from './support/collector-harness';
import { testLogger } from './support/test-logger';

const BOOTSTRAP = 'bootstrap-secret-0123456789abcdef';
const RAW_ID = 'job-7f3a9c2e-no-such-job';

describe('collector HTTP metrics', () => {
  let dir: string;
  let app: INestApplication;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wattprint-http-metrics-'));
    const config = parseCollectorConfig({
      DATABASE_URL: join(dir, 'db.sqlite'),
      REDIS_URL,
      WATTPRINT_QUEUE_PREFIX: freshQueuePrefix(),
      WATTPRINT_ROLE: 'api',
      WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP,
    });
    app = await createCollectorApp(config, { logger: testLogger() });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const auth = { authorization: `Bearer ${BOOTSTRAP}` };

  it('counts successes, 401s, 400s and 404s by route template and status, with no raw id or query', async () => {
    const server = app.getHttpServer();
    await request(server).get('/api/v1/jobs?limit=1').set(auth).expect(200);
    await request(server).get('/api/v1/jobs?limit=2').set(auth).expect(200);
    await request(server).get('/api/v1/jobs').expect(401);
    await request(server).get('/api/v1/jobs').set({ authorization: 'Bearer wrong-token-000000000000' }).expect(401);
    await request(server).get(`/api/v1/jobs/${RAW_ID}`).set(auth).expect(404);
    await request(server).get('/api/v1/jobs?limit=-5').set(auth).expect(400);
    await request(server).get(`/api/v1/no-such-thing/${RAW_ID}`).expect(404);
    // refused by the body parser, before any route
    await request(server).post('/api/v1/agents').set(auth).set('content-type', 'application/json').send('{not json').expect(400);

    const text = (await request(server).get('/metrics').expect(200)).text;
    const series = (method: string, route: string, status: number) =>
      `wattprint_http_requests_total{method="${method}",route="${route}",status="${status}"}`;
    expect(metricValue(text, series('GET', '/api/v1/jobs', 200))).toBe(2);
    expect(metricValue(text, series('GET', '/api/v1/jobs', 401))).toBe(2);
    expect(metricValue(text, series('GET', '/api/v1/jobs', 400))).toBe(1);
    expect(metricValue(text, series('GET', '/api/v1/jobs/:id', 404))).toBe(1);
    expect(metricValue(text, series('GET', 'unmatched', 404))).toBe(1);
    expect(metricValue(text, series('POST', 'unmatched', 400))).toBe(1);
    // the durations under the same labels
    expect(metricValue(text, 'wattprint_http_request_duration_seconds_count{method="GET",route="/api/v1/jobs",status="200"}')).toBe(2);
    expect(text).toMatch(
      /^wattprint_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/v1\/jobs\/:id",status="404"\} \d+$/m,
    );
    // bounded labels: no id, no query string, no unknown path
    expect(text).not.toContain(RAW_ID);
    expect(text).not.toContain('limit=');
    expect(text).not.toContain('no-such-thing');
  });

  it('counts the scrapes themselves under /metrics', async () => {
    const server = app.getHttpServer();
    const before = metricValue(
      (await request(server).get('/metrics')).text,
      'wattprint_http_requests_total{method="GET",route="/metrics",status="200"}',
    );
    const after = metricValue(
      (await request(server).get('/metrics')).text,
      'wattprint_http_requests_total{method="GET",route="/metrics",status="200"}',
    );
    expect(after).toBe(before + 1);
  });

  // last: it breaks the database under the app
  it('counts a server fault as a 500 under its route template', async () => {
    const server = app.getHttpServer();
    const handle = connect({ url: join(dir, 'db.sqlite') });
    try {
      // a table gone under the running app: the next query fails as no validation can foresee
      await sql`DROP TABLE jobs`.execute(handle.db);
    } finally {
      await handle.close();
    }
    await request(server).get('/api/v1/jobs').set(auth).expect(500);
    const text = (await request(server).get('/metrics').expect(200)).text;
    expect(metricValue(text, 'wattprint_http_requests_total{method="GET",route="/api/v1/jobs",status="500"}')).toBe(1);
    expect(metricValue(text, 'wattprint_http_request_duration_seconds_count{method="GET",route="/api/v1/jobs",status="500"}')).toBe(1);
  });
});
