/** Why a message was set aside instead of ingested. Each reason is a label of the dead-letter metric. */
export type DeadLetterReason = 'malformed' | 'unsigned' | 'forged' | 'unknown-agent';

export interface DeadLetter {
  /** The queue the message came from. */
  queue: string;
  /** Its BullMQ job id, when it had one. */
  jobId: string | null;
  reason: DeadLetterReason;
  /** One line per problem, for a person. */
  detail: string;
  /** The message as received, JSON. */
  payload: string;
}
