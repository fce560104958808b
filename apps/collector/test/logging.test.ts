// The collector's logs as an operator reads them: JSON lines with level, ISO time and request ids, and
// never a token, from a real app on a real SQLite file and Redis.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createStructuredLogger } from '@wattprint/runtime';
import request from 'supertest';
import { createCollectorApp } from '../src/bootstrap';
import { parseCollectorConfig } from '../src/config/collector-config';
import { REDIS_URL, freshQueuePrefix } from './support/collector-harness';

const BOOTSTRAP = 'bootstrap-secret-0123456789abcdef';

describe('collector logs', () => {
  let dir: string;
  let app: INestApplication;
  const raw: string[] = [];
  const lines = () => raw.map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wattprint-logs-'));
    const config = parseCollectorConfig({
      DATABASE_URL: join(dir, 'db.sqlite'),
      REDIS_URL,
      WATTPRINT_QUEUE_PREFIX: freshQueuePrefix(),
      WATTPRINT_ROLE: 'api',
      WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP,
    });
    const logger = createStructuredLogger({ service: 'collector', level: 'info', destination: { write: (l: string) => void raw.push(l) } });
    app = await createCollectorApp(config, { logger });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("logs each request once with the caller's request id, hands the id back, and never logs the token", async () => {
    const res = await request(app.getHttpServer())
      .get('/api/v1/jobs?limit=1')
      .set('authorization', `Bearer ${BOOTSTRAP}`)
      .set('x-request-id', 'trace-7f3a');
    expect(res.status).toBe(200);
    expect(res.headers['x-request-id']).toBe('trace-7f3a');
    const line = lines().find((l) => l.reqId === 'trace-7f3a');
    expect(line).toMatchObject({
      level: 'info',
      service: 'collector',
      msg: 'GET /api/v1/jobs 200',
      req: { method: 'GET', path: '/api/v1/jobs' },
    });
    expect(line!.res).toEqual({ statusCode: 200 });
    expect(typeof line!.responseTime).toBe('number');
    expect(raw.join('')).not.toContain(BOOTSTRAP);
  });

  it('gives a request without a usable id a fresh one, and logs a refused token at warn', async () => {
    const res = await request(app.getHttpServer())
      .get('/api/v1/jobs')
      .set('authorization', 'Bearer wp_wrong')
      .set('x-request-id', 'bad id; drop');
    expect(res.status).toBe(401);
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines().find((l) => l.reqId === id)).toMatchObject({ level: 'warn', msg: 'GET /api/v1/jobs 401' });
    expect(raw.join('')).not.toContain('wp_wrong');
  });

  it('leaves probes and scrapes out, and writes only JSON lines with ISO times and no colour', async () => {
    const before = raw.length;
    await request(app.getHttpServer()).get('/health');
    await request(app.getHttpServer()).get('/metrics');
    expect(raw.length).toBe(before);
    expect(lines().some((l) => l.msg === 'Nest application successfully started' || l.context === 'InstanceLoader')).toBe(true);
    for (const l of raw) {
      expect(l).not.toContain('\x1b[');
      expect(JSON.parse(l).time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
  });
});
