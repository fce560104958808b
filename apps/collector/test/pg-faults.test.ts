/**
 * The ledger under PostgreSQL's own failures (ledger faults 1 and 2): a collector process ingests a
 * steady stream of batches while its private PostgreSQL refuses connections for 15 s (SQLSTATE 55000),
 * has its backends killed every 0.5 s for 20 s, and restarts. Afterwards every batch is counted
 * exactly once, nothing sits in BullMQ's failed set, nothing was dead-lettered and the process is
 * still the one that started.
 */
import { connect, type DatabaseHandle } from '@wattprint/db';
import { MessageName, batchJobId, type Batch, type Sample } from '@wattprint/protocol';
import { T0, signedBatch, testAgent, type TestAgent } from './support/batches';
import {
  TestProducer,
  collectOutput,
  collectorEnv,
  freshQueuePrefix,
  metricValue,
  registerAgents,
  spawnCollector,
} from './support/collector-harness';
import { freePort } from '@wattprint/sim';
import { PrivatePostgres } from './support/private-postgres';
import { waitFor } from './support/wait-for';

jest.setTimeout(240_000);

const AGENTS = 4;
/** Batches a second from all agents together, as in the report of the fault. */
const BATCHES_PER_SECOND = 20;

/** A batch of 8 GPUs × 5 s with irregular energies (so totals are not round) and off-second times. */
function irregularBatch(agent: TestAgent, index: number, random: () => number): Batch {
  const start = T0 + index * 5_000 + 137;
  const samples: Sample[] = [];
  for (let s = 0; s < 5; s++) {
    for (let g = 0; g < 8; g++) {
      const energy = 80 + random() * 620;
      samples.push({
        seq: index * 40 + samples.length,
        t0: start + s * 1000,
        t1: start + (s + 1) * 1000,
        device: `gpu${g}`,
        kind: 'gpu',
        jobId: g < 6 ? `job-${agent.id}-${Math.floor(index / 24)}` : null,
        energyJ: energy,
        powerW: energy,
        utilization: 90,
        source: 'nvml',
      });
    }
  }
  return signedBatch(agent, { firstSeq: index * 40, sentAt: start + 5000, samples });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ingest through PostgreSQL faults (a private server, a collector process)', () => {
  let pg: PrivatePostgres;
  let producer: TestProducer;
  let db: DatabaseHandle;
  const agents = Array.from({ length: AGENTS }, (_, i) => testAgent(`pgf${i}`));
  const sent: Batch[] = [];
  let producing = true;
  let production: Promise<void>;
  let port: number;
  let child: ReturnType<typeof spawnCollector>;
  let out: ReturnType<typeof collectOutput>;

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
    producer = new TestProducer(freshQueuePrefix());
    port = await freePort();
    child = spawnCollector(
      collectorEnv(pg.url, producer.prefix, { PORT: String(port), WATTPRINT_DB_RETRY_MAX_MS: '500', WATTPRINT_WORKER_CONCURRENCY: '64' }),
    );
    out = collectOutput(child);
    await waitFor('the collector to start', async () => out.stdout().includes('Nest application successfully started'), 90_000);
    await registerAgents(pg.url, agents);
    db = connect({ url: pg.url, poolSize: 1 });

    let seed = 11;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const next = new Array<number>(AGENTS).fill(0);
    production = (async () => {
      for (let tick = 0; producing; tick++) {
        const agent = tick % AGENTS;
        const batch = irregularBatch(agents[agent], next[agent]++, random);
        sent.push(batch);
        await producer.samples.add(MessageName.Batch, batch, { jobId: batchJobId(batch) });
        await sleep(1000 / BATCHES_PER_SECOND);
      }
    })();
  });

  afterAll(async () => {
    producing = false;
    await production;
    if (child.exitCode === null) child.kill('SIGKILL');
    await db?.close().catch(() => undefined);
    await producer?.dispose();
    await pg?.stop();
  });

  const metrics = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  it('keeps going while PostgreSQL refuses connections for 15 s (SQLSTATE 55000) — finding 1', async () => {
    await sleep(2_000);
    await pg.allowConnections(false);
    await pg.terminateBackends();
    await sleep(15_000);
    await pg.allowConnections(true);
    await waitFor(
      'an outage counted and ingest resumed',
      async () => {
        const text = await metrics();
        return metricValue(text, 'wattprint_ingest_db_outages_total') >= 1 && (await producer.samples.getWaitingCount()) < 50;
      },
      60_000,
    );
    expect(child.exitCode).toBeNull();
  });

  it('survives its backends killed every 0.5 s for 20 s — finding 2', async () => {
    let killed = 0;
    for (const until = Date.now() + 20_000; Date.now() < until;) {
      killed += await pg.terminateBackends();
      await sleep(500);
    }
    expect(killed).toBeGreaterThan(5);
    expect(child.exitCode).toBeNull();
  });

  it('rides out a restart of the server', async () => {
    await pg.restart(2_000);
    await sleep(3_000);
    expect(child.exitCode).toBeNull();
  });

  it('counts every batch exactly once, to 1e-9, with nothing failed, dead-lettered or missing', async () => {
    producing = false;
    await production;
    await waitFor(
      'every batch committed',
      async () => {
        const row = await db.db
          .selectFrom('ingested_batches')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        return Number(row.n) === sent.length;
      },
      120_000,
    );
    const expected = sent.reduce((sum, b) => sum + b.samples.reduce((s, x) => s + x.energyJ, 0), 0);
    const stored = await db.db
      .selectFrom('energy_buckets')
      .select((eb) => eb.fn.sum<number>('joules').as('j'))
      .executeTakeFirstOrThrow();
    expect(Math.abs(Number(stored.j) - expected) / expected).toBeLessThan(1e-9);
    const samples = await db.db
      .selectFrom('energy_buckets')
      .select((eb) => eb.fn.sum<number>('samples').as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(samples.n)).toBe(sent.length * 40);
    expect(await db.db.selectFrom('seq_gaps').selectAll().execute()).toEqual([]);
    expect(await db.db.selectFrom('dead_letters').selectAll().execute()).toEqual([]);
    expect(await producer.samples.getFailedCount()).toBe(0);
    expect(child.exitCode).toBeNull();
    expect(out.stderr()).not.toMatch(/Unhandled|uncaught/i);
    expect(sent.length).toBeGreaterThan(BATCHES_PER_SECOND * 30);
  });

  it('stops gracefully on SIGTERM afterwards', async () => {
    child.kill('SIGTERM');
    await out.exited;
    // Nest runs the shutdown hooks, then re-raises the signal so the exit reads as SIGTERM
    expect(out.signal()).toBe('SIGTERM');
    expect(out.stdout()).toContain('ingest workers stopped');
  });
});
