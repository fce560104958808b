/**
 * Long reads on a real collector (API and worker in one process, Redis, a fresh schema): a report
 * whose client goes away is cancelled on PostgreSQL instead of running on, a report past
 * WATTPRINT_READ_TIMEOUT_MS answers 504 naming the setting, and ingest carries on meanwhile. A read
 * is made slow for real: a second connection holds `LOCK TABLE sites IN ACCESS EXCLUSIVE MODE`, and
 * every usage report over a range with energy reads `sites` (for its emission factors) while ingest
 * never touches it; a report by day reads nothing past the ledger's last energy, so each schema
 * holds a minute of idle energy in the range first. On SQLite the same endpoints answer as before.
 */
import type { AddressInfo } from 'node:net';
import { createTestDatabase } from '@wattprint/db/testing';
import pg from 'pg';
import { T0, realisticBatch, testAgent } from './support/batches';
import { TestProducer, collectorEnv, freshQueuePrefix, metricValue, registerAgents, startCollector } from './support/collector-harness';
import { waitFor } from './support/wait-for';

jest.setTimeout(120_000);

const BOOTSTRAP = 'bootstrap-secret-read-limits-0123456789';
const USAGE = '/api/v1/usage?groupBy=team&bucket=day&from=2025-11-01T00:00:00Z&to=2026-11-01T00:00:00Z';
const auth = { authorization: `Bearer ${BOOTSTRAP}` };
const stopped = (reason: 'cancelled' | 'timeout') => `wattprint_http_reads_stopped_total{route="/api/v1/usage",reason="${reason}"}`;

/** A real collector listening on a port of its own, on a fresh database of `dialect`. */
async function startListening(dialect: 'postgres' | 'sqlite', readTimeoutMs?: number) {
  const testDb = await createTestDatabase(dialect);
  const producer = new TestProducer(freshQueuePrefix());
  const app = await startCollector(
    collectorEnv(testDb.url, producer.prefix, {
      WATTPRINT_ROLE: 'all',
      WATTPRINT_BOOTSTRAP_TOKEN: BOOTSTRAP,
      WATTPRINT_RATE_LIMIT_PER_MINUTE: '10000',
      ...(readTimeoutMs !== undefined ? { WATTPRINT_READ_TIMEOUT_MS: String(readTimeoutMs) } : {}),
    }),
  );
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    testDb,
    producer,
    app,
    base,
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    close: async () => {
      await app.close();
      await producer.dispose();
      await testDb.drop();
    },
  };
}

type Collector = Awaited<ReturnType<typeof startListening>>;

/** A second connection holding an exclusive lock on `sites`: every read of it waits until release. */
async function lockSites(url: string): Promise<{ pid: number; release(): Promise<void> }> {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  const { rows } = await locker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await locker.query('BEGIN');
  await locker.query('LOCK TABLE sites IN ACCESS EXCLUSIVE MODE');
  return {
    pid: rows[0].pid,
    release: async () => {
      await locker.query('ROLLBACK');
      await locker.end();
    },
  };
}

/** A minute of idle energy inside USAGE's range, so its report has hours to read (and price). */
async function seedEnergy(admin: pg.Client): Promise<void> {
  const minute = T0 - 7 * 86_400_000;
  await admin.query(
    `INSERT INTO energy_buckets (job_id, node, device, device_kind, minute_start, hour_start, joules, samples, duration_ms, peak_power_w)
     VALUES ('', 'seed-node', 'gpu0', 'gpu', $1, $2, 1000, 1, 60000, 20)`,
    [minute, minute - (minute % 3_600_000)],
  );
}

/** Backends waiting on the locker's lock, as PostgreSQL itself sees them. */
async function blockedBy(admin: pg.Client, lockerPid: number): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [
    lockerPid,
  ]);
  return rows.map((r) => r.pid);
}

describe('reads on postgres whose client goes away', () => {
  let collector: Collector;
  let admin: pg.Client;

  beforeAll(async () => {
    // the default timeout (60 s): only the cancel can end the read within the test
    collector = await startListening('postgres');
    admin = new pg.Client({ connectionString: collector.testDb.url });
    await admin.connect();
    await seedEnergy(admin);
  });
  afterAll(async () => {
    await admin?.end();
    await collector?.close();
  });

  it('cancels the query on PostgreSQL within seconds of the client aborting the request', async () => {
    const lock = await lockSites(collector.testDb.url);
    try {
      const client = new AbortController();
      const answer = fetch(`${collector.base}${USAGE}`, { headers: auth, signal: client.signal }).catch((error: unknown) => error);
      const [readPid] = await waitFor('the report to wait on the lock', async () => {
        const pids = await blockedBy(admin, lock.pid);
        return pids.length > 0 && pids;
      });
      client.abort();
      expect(await answer).toMatchObject({ name: 'AbortError' });
      await waitFor(
        'the read backend to stop waiting',
        async () => {
          const { rows } = await admin.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [readPid]);
          return (rows.length === 0 || rows[0].state === 'idle') && !(await blockedBy(admin, lock.pid)).includes(readPid);
        },
        5_000,
      );
      await waitFor('the cancel counted', async () => metricValue(await collector.metrics(), stopped('cancelled')) === 1, 5_000);
    } finally {
      await lock.release();
    }
    // the read pool's connection serves the next report as before
    const res = await fetch(`${collector.base}${USAGE}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(metricValue(await collector.metrics(), stopped('timeout'))).toBe(0);
  });
});

describe('reads on postgres past WATTPRINT_READ_TIMEOUT_MS', () => {
  const READ_TIMEOUT_MS = 300;
  const agent = testAgent('rl0');
  let collector: Collector;
  let admin: pg.Client;

  beforeAll(async () => {
    collector = await startListening('postgres', READ_TIMEOUT_MS);
    await registerAgents(collector.testDb.url, [agent]);
    admin = new pg.Client({ connectionString: collector.testDb.url });
    await admin.connect();
    await seedEnergy(admin);
  });
  afterAll(async () => {
    await admin?.end();
    await collector?.close();
  });

  it('answers 504 naming the setting, its value and the request id; never a 500 or a dropped socket', async () => {
    const lock = await lockSites(collector.testDb.url);
    try {
      const res = await fetch(`${collector.base}${USAGE}`, { headers: { ...auth, 'x-request-id': 'read-limits-504' } });
      expect(res.status).toBe(504);
      expect(res.headers.get('x-request-id')).toBe('read-limits-504');
      expect(await res.json()).toEqual({
        statusCode: 504,
        error: 'read_timeout',
        message: `the database read took longer than WATTPRINT_READ_TIMEOUT_MS (${READ_TIMEOUT_MS} ms) and was cancelled; ask for a shorter range or raise the setting`,
        setting: 'WATTPRINT_READ_TIMEOUT_MS',
        timeoutMs: READ_TIMEOUT_MS,
        requestId: 'read-limits-504',
      });
      expect(await blockedBy(admin, lock.pid)).toEqual([]);
    } finally {
      await lock.release();
    }
    const text = await collector.metrics();
    expect(metricValue(text, stopped('timeout'))).toBe(1);
    expect(metricValue(text, 'wattprint_http_requests_total{method="GET",route="/api/v1/usage",status="504"}')).toBe(1);
  });

  it('ingests a batch while reads are timing out', async () => {
    const lock = await lockSites(collector.testDb.url);
    try {
      const reads = Array.from({ length: 3 }, () => fetch(`${collector.base}${USAGE}`, { headers: auth }).then((r) => r.status));
      await collector.producer.addBatch(realisticBatch(agent, { firstSeq: 0, startMs: T0, jobs: ['job-rl'] }));
      await waitFor(
        'the batch ingested',
        async () => metricValue(await collector.metrics(), 'wattprint_ingest_batches_total{result="ingested"}') === 1,
        30_000,
      );
      expect(await Promise.all(reads)).toEqual([504, 504, 504]);
      // the batch is in the ledger, read by a connection the lock does not concern
      const { rows } = await admin.query<{ joules: number }>(
        "SELECT sum(joules)::float8 AS joules FROM energy_buckets WHERE node <> 'seed-node'",
      );
      expect(rows[0].joules).toBe(5 * (100 + 110 + 120 + 130 + 140 + 150 + 160 + 170));
    } finally {
      await lock.release();
    }
    expect(metricValue(await collector.metrics(), stopped('timeout'))).toBe(4);
    expect((await fetch(`${collector.base}${USAGE}`, { headers: auth })).status).toBe(200);
  });
});

describe('reads on sqlite', () => {
  let collector: Collector;

  beforeAll(async () => {
    collector = await startListening('sqlite', 300);
  });
  afterAll(async () => {
    await collector?.close();
  });

  it('answer as before, an aborted request included (better-sqlite3 cannot be interrupted; its reads are short)', async () => {
    const client = new AbortController();
    const aborted = fetch(`${collector.base}${USAGE}`, { headers: auth, signal: client.signal }).catch((error: unknown) => error);
    client.abort();
    await aborted;
    const res = await fetch(`${collector.base}${USAGE}`, { headers: auth });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ groupBy: 'team', rows: [] });
    expect(metricValue(await collector.metrics(), stopped('timeout'))).toBe(0);
  });
});
