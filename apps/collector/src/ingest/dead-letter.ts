/**
 * Why a message was set aside instead of ingested. Each reason is a label of the dead-letter metric.
 * A message is set aside only when it is proven bad; a failure that might pass (the database away)
 * pauses ingest and retries instead.
 */
export type DeadLetterReason =
  /** Not JSON at all: the queue held text no agent writes. */
  | 'unparseable'
  /** JSON the schema refuses (wrong type, unknown key, control character, nested too deep). */
  | 'malformed'
  | 'unsigned'
  | 'forged'
  | 'unknown-agent'
  /** Signed by an agent for a node other than its own. */
  | 'node-mismatch'
  /** A time, span or energy outside the collector's bounds. */
  | 'out-of-bounds'
  /** The database refused the message's data when written alone (SQLSTATE class 22 or 23). */
  | 'data-error'
  /** An agent's end or metadata event for a job it never started nor measured on its node, after waiting for it. */
  | 'job-not-seen'
  /** Every consumer that took it died or froze before finishing it, `WATTPRINT_MAX_STALLS` times. */
  | 'stalled';

export interface DeadLetter {
  /** The queue the message came from. */
  queue: string;
  /** Its BullMQ job id, when it had one. */
  jobId: string | null;
  reason: DeadLetterReason;
  /** One line per problem, for a person. */
  detail: string;
  /** The message as received: its JSON text. */
  payload: string;
}
