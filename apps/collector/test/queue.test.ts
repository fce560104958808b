import { MessageName, QueueName } from '@wattprint/protocol';
import { parseCollectorConfig } from '../src/config/collector-config';
import { type QueuedMessage, QueueRepository, RetryLaterError } from '../src/queue/queue.repository';
import { TestProducer, collectorEnv, freshQueuePrefix } from './support/collector-harness';
import { waitFor } from './support/wait-for';

describe('QueueRepository workers (real Redis)', () => {
  const producer = new TestProducer(freshQueuePrefix());
  const queues = new QueueRepository(parseCollectorConfig(collectorEnv('sqlite::memory:', producer.prefix)));
  const seen: QueuedMessage[] = [];
  let failUntil = new Map<string, number>();

  beforeAll(() => {
    queues.startWorker(
      QueueName.Samples,
      async (message) => {
        seen.push(message);
        const left = failUntil.get(message.jobId!) ?? 0;
        if (left > 0) {
          failUntil.set(message.jobId!, left - 1);
          if (message.jobId === 'later') throw new RetryLaterError(50, 'not yet');
          throw new TypeError('a bug nobody foresaw');
        }
      },
      1,
    );
  });

  afterAll(async () => {
    await queues.onApplicationShutdown();
    await producer.dispose();
  });

  it('hands each handler the data, the job id and the exact JSON text the data was parsed from', async () => {
    const data = { z: 1, a: [1.5, 'x'], signature: 'f'.repeat(64) };
    await producer.samples.add(MessageName.Batch, data, { jobId: 'q-1' });
    const message = await waitFor('the job', async () => seen.find((m) => m.jobId === 'q-1'));
    expect(message.data).toEqual(data);
    expect(message.text).toBe(JSON.stringify(data));
    expect(message.text).toBe('{"z":1,"a":[1.5,"x"],"signature":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}');
    expect(message).toMatchObject({ unparseable: undefined, stalls: 0 });
    expect(Math.abs(message.queuedAt - Date.now())).toBeLessThan(60_000);
  });

  it('hands over data that is not JSON instead of leaving it active forever (finding 9)', async () => {
    // delayed, so it can be spoilt before any worker takes it
    await producer.samples.add(MessageName.Batch, { placeholder: true }, { jobId: 'not-json', delay: 300 });
    // what a writer that is not BullMQ might leave: BullMQ itself would throw on every attempt to take it
    await producer.connection.hset(`${producer.prefix}:${QueueName.Samples}:not-json`, 'data', '{"agentId": "a", oops');
    const message = await waitFor('the unparseable job', async () => seen.find((m) => m.jobId === 'not-json'), 20_000);
    expect(message.data).toBeNull();
    expect(message.text).toBe('{"agentId": "a", oops');
    expect(message.unparseable).toMatch(/JSON/);
    // read raw: BullMQ's own getJob would throw on the data just as the worker used to
    await waitFor(
      'it completes',
      async () => (await producer.connection.hget(`${producer.prefix}:${QueueName.Samples}:not-json`, 'finishedOn')) !== null,
    );
  }, 30_000);

  it('never fails a message: an unexpected error and a RetryLaterError both bring it back later', async () => {
    failUntil = new Map([
      ['bug', 2],
      ['later', 3],
    ]);
    await producer.samples.add(MessageName.Batch, { n: 1 }, { jobId: 'bug' });
    await producer.samples.add(MessageName.Batch, { n: 2 }, { jobId: 'later' });
    await waitFor('the retried job', async () => seen.filter((m) => m.jobId === 'later').length === 4, 15_000);
    await waitFor('the job that threw', async () => seen.filter((m) => m.jobId === 'bug').length === 3, 30_000);
    await waitFor('both complete', async () => (await producer.samples.getCompletedCount()) >= 4, 15_000);
    expect(await producer.samples.getFailedCount()).toBe(0);
    expect(await queues.failedCount(QueueName.Samples)).toBe(0);
  }, 60_000);
});
