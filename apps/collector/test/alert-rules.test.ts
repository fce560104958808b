/**
 * deploy/prometheus/alerts.yaml against a real collector: every metric a rule names is one the
 * collector's /metrics exposes (by its `# TYPE` line, so series that have no sample yet count), and
 * every rule is well formed. promtool, when installed, checks the file as Prometheus would.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import request from 'supertest';
import { parse } from 'yaml';
import { createCollectorApp } from '../src/bootstrap';
import { parseCollectorConfig } from '../src/config/collector-config';
import { REDIS_URL, TestProducer, freshQueuePrefix } from './support/collector-harness';
import { testLogger } from './support/test-logger';

const RULES = join(__dirname, '../../../deploy/prometheus/alerts.yaml');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The metric names of a PromQL expression: every wattprint_ word, histogram suffixes taken off. */
export function metricsOf(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\bwattprint_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')))];
}

describe('deploy/prometheus/alerts.yaml', () => {
  const doc = parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
  const rules = doc.groups.flatMap((g) => g.rules);
  let testDb: TestDatabase;
  let app: INestApplication;
  let prefix: string;

  beforeAll(async () => {
    testDb = await createTestDatabase('sqlite');
    prefix = freshQueuePrefix();
    app = await createCollectorApp(
      parseCollectorConfig({ DATABASE_URL: testDb.url, REDIS_URL, WATTPRINT_QUEUE_PREFIX: prefix, WATTPRINT_ROLE: 'all', PORT: '0' }),
      { logger: testLogger() },
    );
    await app.init();
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await new TestProducer(prefix).dispose();
    await testDb?.drop();
  });

  it('covers budgets, ingest lag, dead letters, silent agents and database outages', () => {
    const named = new Set(rules.flatMap((r) => metricsOf(r.expr)));
    for (const metric of [
      'wattprint_budget_spent_ratio',
      'wattprint_budget_projected_ratio',
      'wattprint_ingest_lag_seconds',
      'wattprint_dead_letters_total',
      'wattprint_agent_last_batch_timestamp_seconds',
      'wattprint_ingest_db_outages_total',
    ]) {
      expect(named).toContain(metric);
    }
    expect(rules.filter((r) => r.expr.includes('wattprint_budget_spent_ratio')).map((r) => r.expr)).toEqual([
      expect.stringMatching(/>= 0\.8$/),
      expect.stringMatching(/>= 1$/),
    ]);
  });

  it('names only metrics the collector exposes', async () => {
    const text = (await request(app.getHttpServer()).get('/metrics').expect(200)).text;
    const exposed = new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    expect(exposed.size).toBeGreaterThan(10);
    const unknown = rules.flatMap((r) =>
      metricsOf(r.expr)
        .filter((m) => !exposed.has(m))
        .map((m) => `${r.alert}: ${m}`),
    );
    expect(unknown).toEqual([]);
  });

  it('has well-formed rules: unique names, severity, summary, balanced expressions, durations', () => {
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Wattprint[A-Za-z0-9]+$/);
      expect(['warning', 'critical']).toContain(r.labels?.severity);
      expect(r.annotations?.summary).toBeTruthy();
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smhd]$/);
      let depth = 0;
      for (const ch of r.expr) {
        depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
        expect(depth).toBeGreaterThanOrEqual(0);
      }
      expect(depth).toBe(0);
      expect(r.expr).toMatch(/(>|>=|==|<) *[\d.]+$/);
    }
    const promtool = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    // promtool is not installed everywhere; where it is, it has the last word
    if (promtool.error === undefined) expect(`${promtool.status} ${promtool.stdout}${promtool.stderr}`).toMatch(/^0 .*SUCCESS/s);
  });
});
