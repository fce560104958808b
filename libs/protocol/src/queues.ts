/**
 * Queue names. BullMQ keys are `<prefix>:<queue>:…`; the `{wattprint}` hash tag in the prefix puts
 * every key of every queue in one Redis Cluster slot, which BullMQ's multi-key scripts require.
 */
export const QUEUE_PREFIX = '{wattprint}';

export enum QueueName {
  Samples = 'samples',
  JobEvents = 'job-events',
  DeadLetters = 'dead-letters',
}

/** The BullMQ job name of each kind of message, so consumers dispatch on a type, not a string. */
export enum MessageName {
  Batch = 'batch',
  JobEvent = 'job-event',
  DeadLetter = 'dead-letter',
}

/** BullMQ job id of a batch: agent, boot and first seq, so a batch re-added while queued is dropped by BullMQ itself. */
export function batchJobId(batch: { agentId: string; bootId: string; firstSeq: number }): string {
  return `b.${batch.agentId}.${batch.bootId}.${batch.firstSeq}`;
}
