import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { connect, type DatabaseHandle } from '@wattprint/db';
import { MessageName, QueueName, batchJobId, type Batch, type JobEvent } from '@wattprint/protocol';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { createCollectorApp } from '../../src/bootstrap';
import { parseCollectorConfig } from '../../src/config/collector-config';
import type { TestAgent } from './batches';
import { testLogger } from './test-logger';

export const REDIS_URL = process.env.WATTPRINT_TEST_REDIS ?? 'redis://127.0.0.1:6379';

/** A fresh BullMQ prefix, so tests running at once never share a queue. */
export function freshQueuePrefix(): string {
  return `{wp-test-${randomBytes(5).toString('hex')}}`;
}

/** The environment a collector of the tests runs with. */
export function collectorEnv(databaseUrl: string, queuePrefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL,
    WATTPRINT_QUEUE_PREFIX: queuePrefix,
    WATTPRINT_ROLE: 'worker',
    WATTPRINT_GROUP_COMMIT_MS: '2',
    WATTPRINT_DB_RETRY_MAX_MS: '200',
    PORT: '0',
    ...extra,
  };
}

/** A collector app in this process (migrated, worker started), as main.ts builds it. */
export async function startCollector(env: Record<string, string>): Promise<INestApplication> {
  const app = await createCollectorApp(parseCollectorConfig(env), { logger: testLogger() });
  await app.init();
  return app;
}

/** A collector in a child process, running `main.ts` from the sources. */
export function spawnCollector(env: Record<string, string>, args: string[] = []): ChildProcess {
  const appRoot = join(__dirname, '..', '..');
  return spawn(process.execPath, ['-r', join(__dirname, 'register-ts.js'), join(appRoot, 'src', 'main.ts'), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function collectOutput(child: ChildProcess): {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  signal: () => NodeJS.Signals | null;
} {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  let signal: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, sig) => {
      signal = sig;
      resolve(code);
    }),
  );
  return { stdout: () => stdout, stderr: () => stderr, exited, signal: () => signal };
}

/** What an agent does: adds signed messages to the queues. */
export class TestProducer {
  readonly connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
  readonly samples: Queue;
  readonly events: Queue;
  readonly deadLetters: Queue;

  constructor(readonly prefix: string) {
    this.samples = new Queue(QueueName.Samples, { connection: this.connection, prefix });
    this.events = new Queue(QueueName.JobEvents, { connection: this.connection, prefix });
    this.deadLetters = new Queue(QueueName.DeadLetters, { connection: this.connection, prefix });
  }

  /** Adds a batch under its protocol job id; `redelivery` adds it again under another id, as a replayed spool would after BullMQ removed the first. */
  async addBatch(batch: Batch | Record<string, unknown>, redelivery = 0): Promise<void> {
    const id =
      'agentId' in batch && typeof batch.firstSeq === 'number' ? batchJobId(batch as Batch) : `raw.${randomBytes(4).toString('hex')}`;
    await this.samples.add(MessageName.Batch, batch, { jobId: redelivery ? `${id}.r${redelivery}` : id });
  }

  async addEvent(event: JobEvent | Record<string, unknown>): Promise<void> {
    await this.events.add(MessageName.JobEvent, event, { jobId: `e.${String(event.eventId ?? randomBytes(4).toString('hex'))}` });
  }

  /** Removes every key of this prefix and closes the connection. */
  async dispose(): Promise<void> {
    const queues = [this.samples, this.events, this.deadLetters];
    // a queue writes its meta key when it first connects: let that land before deleting
    await Promise.all(queues.map((q) => q.waitUntilReady()));
    await Promise.all(queues.map((q) => q.close()));
    let cursor = '0';
    do {
      const [next, keys] = await this.connection.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await this.connection.del(...keys);
    } while (cursor !== '0');
    this.connection.disconnect();
  }
}

/** Registers agents straight in the table (registration through the API is another module's). */
export async function registerAgents(url: string, agents: TestAgent[]): Promise<void> {
  const handle = connect({ url });
  try {
    await handle.db
      .insertInto('agents')
      .values(agents.map((a) => ({ id: a.id, node: a.node, key: a.key, created_at: Date.now(), last_seen_at: null })))
      .execute();
  } finally {
    await handle.close();
  }
}

export function openDatabase(url: string): DatabaseHandle {
  return connect({ url, poolSize: 2 });
}

/** Batches committed so far (their exactly-once keys): what a test waits on after queueing some. */
export async function committedBatches(db: DatabaseHandle): Promise<number> {
  const row = await db.db
    .selectFrom('ingested_batches')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Reads one series of the Prometheus text, e.g. `wattprint_dead_letters_total{queue="samples",reason="forged"}`; 0 when absent. */
export function metricValue(text: string, series: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return 0;
}
