/**
 * Queue names. BullMQ keys are `<prefix>:<queue>:…`; the `{wattprint}` hash tag in the prefix puts
 * every key of every queue in one Redis Cluster slot, which BullMQ's multi-key scripts require.
 */
export const QUEUE_PREFIX = '{wattprint}';

/**
 * What a queue prefix may be (WATTPRINT_QUEUE_PREFIX, the same on agents and collectors): BullMQ joins
 * keys with ":", so a prefix holding one would read as part of a key, and Redis keys with spaces are a
 * quoting trap in every tool.
 */
export const QUEUE_PREFIX_RULE = { pattern: /^[^\s:]+$/, expected: 'a prefix without spaces or ":", e.g. {wattprint}' } as const;

export enum QueueName {
  Samples = 'samples',
  JobEvents = 'job-events',
  DeadLetters = 'dead-letters',
}

/**
 * The BullMQ job name of each kind of message. Consumers tell messages apart by their queue; the name
 * labels a message for people (Redis tools, BullMQ boards) and for tests.
 */
export enum MessageName {
  Batch = 'batch',
  JobEvent = 'job-event',
  DeadLetter = 'dead-letter',
}

/** BullMQ job id of a batch: agent, boot and first seq, so a batch re-added while queued is dropped by BullMQ itself. */
export function batchJobId(batch: { agentId: string; bootId: string; firstSeq: number }): string {
  return `b.${batch.agentId}.${batch.bootId}.${batch.firstSeq}`;
}
