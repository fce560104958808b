// The baseline of tools/bench/ingest.mjs: a BullMQ worker on the samples queue that does nothing
// with each batch, in its own process like the collector. It reports on stdout, one JSON line each:
// {"done":n (since the last report),"lags":[[sentAt, lagMs], ...]} when asked by the parent (a line "report" on stdin).
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const { REDIS_URL, PREFIX, CONCURRENCY } = process.env;
const connection = new IORedis(REDIS_URL, { maxRetriesPerRequest: null });
let done = 0;
const lags = [];
const worker = new Worker(
  'samples',
  async (job) => {
    lags.push([job.data.sentAt, Date.now() - job.data.sentAt]);
    done++;
  },
  // the collector's worker options (apps/collector/src/queue/queue.repository.ts), so the baseline is fair
  { connection, prefix: PREFIX, concurrency: Number(CONCURRENCY), removeOnComplete: { count: 1000 }, removeOnFail: { count: 10_000 } },
);
await worker.waitUntilReady();
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.stdin.setEncoding('utf8');
process.stdin.on('data', async (text) => {
  for (const line of text.split('\n')) {
    if (line === 'report') {
      const report = { done, lags: lags.splice(0) };
      done = 0;
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else if (line === 'exit') {
      await worker.close();
      connection.disconnect();
      process.exit(0);
    }
  }
});
