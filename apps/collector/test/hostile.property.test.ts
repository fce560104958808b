/**
 * Hostile input, generated: 10,000 batches and 10,000 API requests per run against a live collector
 * on each database. Batches are valid ones with deliberate breakages — out of bounds, another node,
 * a wrong key, no signature, an unknown agent, broken form — each known to the generator, so every
 * message has one expected outcome: ingested, or dead-lettered with a given reason. API requests are
 * arbitrary JSON bodies and query strings on every route. The run's seed is printed on failure;
 * WATTPRINT_FC_SEED=<seed> replays it.
 */
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DatabaseHandle } from '@wattprint/db';
import { DIALECTS, createTestDatabase, type TestDatabase } from '@wattprint/db/testing';
import { CONTROL_CHARACTER, MessageName, type Sample, batchKey, signed } from '@wattprint/protocol';
import fc from 'fast-check';
import { testAgent } from './support/batches';
import { TestProducer, collectorEnv, freshQueuePrefix, openDatabase, registerAgents, startCollector } from './support/collector-harness';
import { BOOTSTRAP_TOKEN } from './reports-harness';
import { waitFor } from './support/wait-for';

jest.setTimeout(300_000);

const CASES = Number(process.env.WATTPRINT_FC_CASES ?? 10_000);
const SEED = Number(process.env.WATTPRINT_FC_SEED ?? Date.now() % 2 ** 31);
const NOW = Date.now();

/** The checks in the order the collector applies them: the first a case breaks is its dead letter's reason. */
const REASONS = ['unsigned', 'malformed', 'unknown-agent', 'forged', 'node-mismatch', 'out-of-bounds'] as const;
type Reason = (typeof REASONS)[number];

interface Case {
  /** BullMQ job id; also names the case in failure messages. */
  id: string;
  message: Record<string, unknown>;
  key: string;
  expected: Reason | 'ingested';
  joules: number;
}

const printable = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).filter((s) => !CONTROL_CHARACTER.test(s));
const withControl = fc
  .tuple(fc.string({ maxLength: 5 }), fc.constantFrom('\u0000', '\t', '\n', '\u007f', '\u0085'), fc.string({ maxLength: 5 }))
  .map(([a, c, b]) => a + c + b);

/** A sample inside every bound: off-second times, spans of 1 ms to 10 min, up to 5 kW. */
const goodSample = fc
  .record({
    start: fc.integer({ min: -30 * 86_400_000, max: 0 }),
    span: fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 600_000 })),
    watts: fc.oneof(fc.double({ min: 0, max: 5_000, noNaN: true }), fc.constant(5_000), fc.constant(0)),
    device: fc.oneof(fc.constantFrom('gpu0', 'gpu1', 'cpu0', 'dram0'), printable),
    jobId: fc.oneof(fc.constant(null), fc.constantFrom('train-1', 'eval/2', 'ü ñ'), printable),
    powerW: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 5_000, noNaN: true })),
    utilization: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 100, noNaN: true })),
  })
  .map((s): Omit<Sample, 'seq'> => ({
    t0: NOW + s.start,
    t1: NOW + s.start + s.span,
    device: s.device,
    kind: 'gpu',
    jobId: s.jobId,
    // energy for the span at `watts`, never above the bound even after rounding
    energyJ: Math.min((s.watts * s.span) / 1000, (5_000 * s.span) / 1000),
    powerW: s.powerW,
    utilization: s.utilization,
    source: 'nvml',
  }));

/** What breaks a bound for sure, applied to one sample. */
const boundBreak = fc.oneof(
  fc.constant((s: Sample) => ({ ...s, t0: 0, t1: 1000 })),
  fc.constant((s: Sample) => ({ ...s, t0: Date.UTC(1999, 11, 31, 23, 59, 59, 999), t1: Date.UTC(1999, 11, 31, 23, 59, 59, 999) + 1 })),
  fc.constant((s: Sample) => ({ ...s, t1: NOW + 3 * 3_600_000, t0: NOW + 3 * 3_600_000 - 1000 })),
  fc.constant((s: Sample) => ({ ...s, t0: 9e15, t1: 9e15 + 1000 })),
  fc.constant((s: Sample) => ({ ...s, t1: s.t0 + 600_001 })),
  fc.constant((s: Sample) => ({ ...s, t1: s.t0 + 1e13 })),
  fc.constant((s: Sample) => ({ ...s, energyJ: 1e308 })),
  fc.constant((s: Sample) => ({ ...s, energyJ: ((s.t1 - s.t0) / 1000) * 5_000.001 + 1e-6 })),
);

/** What breaks the form for sure (the signature is made after, so only the form is wrong). */
const formBreak = fc.oneof(
  fc.constant((m: Record<string, unknown>) => ({ ...m, extra: 1 })),
  fc.constant((m: Record<string, unknown>) => ({ ...m, version: 2 })),
  withControl.map((bad) => (m: Record<string, unknown>) => ({ ...m, node: bad })),
  withControl.map((bad) => (m: Record<string, unknown>) => ({
    ...m,
    samples: (m.samples as Sample[]).map((s, i) => (i === 0 ? { ...s, device: bad } : s)),
  })),
  withControl.map((bad) => (m: Record<string, unknown>) => ({
    ...m,
    samples: (m.samples as Sample[]).map((s, i) => (i === 0 ? { ...s, jobId: bad } : s)),
  })),
  fc.constant((m: Record<string, unknown>) => ({
    ...m,
    samples: (m.samples as Sample[]).map((s, i) => (i === 0 ? { ...s, energyJ: -1 } : s)),
  })),
  fc.constant((m: Record<string, unknown>) => ({
    ...m,
    samples: (m.samples as Sample[]).map((s, i) => (i === 0 ? { ...s, energyJ: '5' } : s)),
  })),
  fc.constant((m: Record<string, unknown>) => ({
    ...m,
    // past 2^52 a double has no halves: 9e15 + 0.5 is 9e15, a whole number again (seed 1257708286)
    samples: (m.samples as Sample[]).map((s, i) => (i === 0 ? { ...s, t0: (s.t0 < 2 ** 52 ? s.t0 : NOW) + 0.5 } : s)),
  })),
  fc.constant((m: Record<string, unknown>) => ({
    ...m,
    samples: (m.samples as Sample[]).map((s, i) => (i === 0 ? { ...s, seq: s.seq + 1 } : s)),
  })),
  fc.constant((m: Record<string, unknown>) => ({ ...m, samples: [] })),
  fc.jsonValue({ maxDepth: 3 }).map((junk) => (m: Record<string, unknown>) => ({ ...m, samples: [junk] })),
);

describe.each(DIALECTS)(`hostile input on %s (seed ${SEED}, WATTPRINT_FC_SEED replays it)`, (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let producer: TestProducer;
  let db: DatabaseHandle;
  const own = testAgent('hostile-own');
  const other = testAgent('hostile-other');

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    producer = new TestProducer(freshQueuePrefix());
    app = await startCollector(
      collectorEnv(testDb.url, producer.prefix, {
        WATTPRINT_ROLE: 'all',
        WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
        WATTPRINT_RATE_LIMIT_PER_MINUTE: '1000000',
        WATTPRINT_GROUP_COMMIT_MS: '20',
      }),
    );
    await app.listen(0, '127.0.0.1');
    await registerAgents(testDb.url, [own, other]);
    db = openDatabase(testDb.url);
  });

  afterAll(async () => {
    await app?.close();
    await db?.close();
    await producer?.dispose();
    await testDb?.drop();
  });

  it(`refuses every broken batch with its reason and counts every sound one exactly (${CASES} cases)`, async () => {
    const caseArb = fc.record({
      samples: fc.array(goodSample, { minLength: 1, maxLength: 6 }),
      breaks: fc.record({
        bounds: fc.oneof({ arbitrary: fc.constant(null), weight: 4 }, { arbitrary: boundBreak, weight: 1 }),
        form: fc.oneof({ arbitrary: fc.constant(null), weight: 6 }, { arbitrary: formBreak, weight: 1 }),
        agent: fc.constantFrom('own', 'own', 'own', 'own', 'own', 'own', 'ghost', 'other-node', 'wrong-key'),
        unsignedFlag: fc.integer({ min: 0, max: 19 }),
      }),
    });
    const generated = fc.sample(caseArb, { numRuns: CASES, seed: SEED });
    const cases: Case[] = generated.map((g, n) => {
      const firstSeq = n * 10;
      let samples: Sample[] = g.samples.map((s, i) => ({ ...s, seq: firstSeq + i }));
      const reasons = new Set<Reason>();
      if (g.breaks.bounds !== null) {
        samples = samples.map((s, i) => (i === samples.length - 1 ? g.breaks.bounds!(s) : s));
        reasons.add('out-of-bounds');
      }
      const agentId = g.breaks.agent === 'ghost' ? 'hostile-ghost' : own.id;
      let message: Record<string, unknown> = {
        version: 1,
        agentId,
        bootId: own.bootId,
        firstSeq,
        node: g.breaks.agent === 'other-node' ? other.node : own.node,
        sentAt: NOW,
        samples,
      };
      if (g.breaks.agent === 'ghost') reasons.add('unknown-agent');
      if (g.breaks.agent === 'other-node') reasons.add('node-mismatch');
      if (g.breaks.agent === 'wrong-key') reasons.add('forged');
      if (g.breaks.form !== null) {
        message = g.breaks.form(message);
        reasons.add('malformed');
      }
      const key = g.breaks.agent === 'wrong-key' ? other.key : own.key;
      let sent: Record<string, unknown> = signed(message, key);
      if (g.breaks.unsignedFlag === 0) {
        const { signature: _dropped, ...rest } = sent;
        sent = rest;
        reasons.add('unsigned');
      }
      const expected = REASONS.find((r) => reasons.has(r)) ?? 'ingested';
      return { id: `case-${n}`, message: sent, key, expected, joules: samples.reduce((sum, s) => sum + s.energyJ, 0) };
    });
    // a sound batch delivered again under another id counts once
    const again = cases.filter((c) => c.expected === 'ingested').slice(0, 200);
    for (let i = 0; i < cases.length; i += 1000) {
      await producer.samples.addBulk(
        cases.slice(i, i + 1000).map((c) => ({ name: MessageName.Batch, data: c.message, opts: { jobId: c.id } })),
      );
    }
    await producer.samples.addBulk(again.map((c) => ({ name: MessageName.Batch, data: c.message, opts: { jobId: `${c.id}.again` } })));

    // the collector keeps only the last 1000 completed jobs: done = nothing left to take, and every case accounted for
    await waitFor(
      'every message handled',
      async () => {
        const left = await producer.samples.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'paused');
        if (Object.values(left).some((n) => n > 0)) return false;
        const [batches, letters] = await Promise.all([
          db.db
            .selectFrom('ingested_batches')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow(),
          db.db
            .selectFrom('dead_letters')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow(),
        ]);
        return Number(batches.n) + Number(letters.n) === cases.length;
      },
      240_000,
    );
    expect(await producer.samples.getFailedCount()).toBe(0);

    const ingested = new Set((await db.db.selectFrom('ingested_batches').select('batch_key').execute()).map((r) => r.batch_key));
    const letters = new Map(
      (await db.db.selectFrom('dead_letters').select(['job_id', 'reason']).where('queue', '=', 'samples').execute()).map((r) => [
        r.job_id,
        r.reason,
      ]),
    );
    const wrong: string[] = [];
    let expectedJoules = 0;
    for (const c of cases) {
      const key = batchKey(c.message as { agentId: string; bootId: string; firstSeq: number });
      const outcome = letters.get(c.id) ?? (ingested.has(key) ? 'ingested' : 'nothing');
      if (outcome !== c.expected) wrong.push(`${c.id}: expected ${c.expected}, got ${outcome}: ${JSON.stringify(c.message).slice(0, 300)}`);
      if (c.expected === 'ingested') expectedJoules += c.joules;
    }
    expect(wrong.slice(0, 5)).toEqual([]);
    const counts = Object.fromEntries([...REASONS, 'ingested'].map((r) => [r, cases.filter((c) => c.expected === r).length]));
    // every reason was tried often enough to mean something
    for (const [reason, n] of Object.entries(counts)) expect([reason, n > 100]).toEqual([reason, true]);

    const stored = await db.db
      .selectFrom('energy_buckets')
      .select((eb) => eb.fn.sum<number>('joules').as('j'))
      .executeTakeFirstOrThrow();
    expect(Math.abs(Number(stored.j) - expectedJoules) / expectedJoules).toBeLessThan(1e-9);
    const buckets = await db.db.selectFrom('energy_buckets').select(['joules', 'minute_start']).execute();
    expect(buckets.every((b) => Number.isFinite(Number(b.joules)) && Number(b.minute_start) >= Date.UTC(2000, 0, 1))).toBe(true);
  });

  /** A readiness report saying not ready, as GET /ready answers with 503. */
  const readinessReport = (text: string): boolean => {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      return body.ready === false && ['up', 'down'].includes(String(body.database)) && ['up', 'down'].includes(String(body.redis));
    } catch {
      return false;
    }
  };

  it(`answers every arbitrary body and query with a status below 500 (${CASES} requests)`, async () => {
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build()) as unknown as { paths: Record<string, object> };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => ({ method: m.toUpperCase(), path })),
    );
    expect(routes.length).toBeGreaterThan(15);
    const text = fc.oneof(
      printable,
      withControl,
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.constantFrom('', '2026-11-28T10:00:00Z', 'b', '9e15', '-1'),
    );
    const requestArb = fc.record({
      route: fc.constantFrom(...routes),
      param: text,
      query: fc.dictionary(
        fc.constantFrom('from', 'to', 'team', 'user', 'node', 'region', 'groupBy', 'bucket', 'limit', 'cursor', 'format', 'x'),
        text,
        { maxKeys: 4 },
      ),
      body: fc.oneof(
        fc.jsonValue({ maxDepth: 4 }),
        fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 }),
      ),
    });
    const requests = fc.sample(requestArb, { numRuns: CASES, seed: SEED + 1 });
    const failures: string[] = [];
    const auth = { Authorization: `Bearer ${BOOTSTRAP_TOKEN}` };
    for (let i = 0; i < requests.length; i += 16) {
      await Promise.all(
        requests.slice(i, i + 16).map(async (r) => {
          const path = r.route.path.replace(/\{[^}]+\}/g, encodeURIComponent(r.param));
          const url = `${base}${path}?${new URLSearchParams(r.query).toString()}`;
          const hasBody = ['POST', 'PUT', 'PATCH'].includes(r.route.method);
          const res = await fetch(url, {
            method: r.route.method,
            headers: hasBody ? { ...auth, 'Content-Type': 'application/json' } : auth,
            body: hasBody ? JSON.stringify(r.body) : undefined,
          });
          const text = await res.text();
          // /ready answers 503 by contract when a dependency is slow or ingest is paused (SQLite's one
          // writer under this load can hold the probe's SELECT 1 past its 2 s): that is the probe's
          // report, whatever the query said, not a failure of the server
          if (res.status === 503 && r.route.path === '/ready' && readinessReport(text)) return;
          if (res.status >= 500)
            failures.push(`${r.route.method} ${url} ${hasBody ? JSON.stringify(r.body).slice(0, 200) : ''} → ${res.status}`);
        }),
      );
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });
});
