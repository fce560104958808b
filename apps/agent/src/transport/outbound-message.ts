import { MessageName, QueueName } from '@wattprint/protocol';

/** A message for one of the queues, as it is published and as it is spooled. */
export interface OutboundMessage {
  queue: QueueName.Samples | QueueName.JobEvents;
  name: MessageName.Batch | MessageName.JobEvent;
  /** BullMQ job id: the same message added twice while queued is kept once. */
  jobId: string;
  data: object;
}

export function encodeMessage(message: OutboundMessage): Buffer {
  return Buffer.from(JSON.stringify(message), 'utf8');
}

export function decodeMessage(payload: Buffer): OutboundMessage {
  return JSON.parse(payload.toString('utf8')) as OutboundMessage;
}
