import { MessageName, QueueName } from '@wattprint/protocol';
import { parseCollectorConfig } from '../src/config/collector-config';
import { QueueRepository } from '../src/queue/queue.repository';
import { TestProducer, collectorEnv, freshQueuePrefix } from './support/collector-harness';
import { waitFor } from './support/wait-for';

describe('QueueRepository workers (real Redis)', () => {
  const producer = new TestProducer(freshQueuePrefix());
  const queues = new QueueRepository(parseCollectorConfig(collectorEnv('sqlite::memory:', producer.prefix)));

  afterAll(async () => {
    await queues.onApplicationShutdown();
    await producer.dispose();
  });

  it('hands each handler the data, the job id and the exact JSON text the data was parsed from', async () => {
    const seen: Array<{ data: unknown; jobId: string | undefined; text: string | undefined }> = [];
    queues.startWorker(QueueName.Samples, async (data, jobId, text) => void seen.push({ data, jobId, text }), 1);
    const data = { z: 1, a: [1.5, 'x'], signature: 'f'.repeat(64) };
    await producer.samples.add(MessageName.Batch, data, { jobId: 'q-1' });
    await waitFor('the job', async () => seen.length === 1);
    expect(seen[0].data).toEqual(data);
    expect(seen[0].jobId).toBe('q-1');
    expect(seen[0].text).toBe(JSON.stringify(data));
    expect(seen[0].text).toBe('{"z":1,"a":[1.5,"x"],"signature":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}');
  });
});
