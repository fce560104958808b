import type { SampleSource } from '@wattprint/protocol';

/** Where a message went: straight to Redis, to the disk spool, or from the spool to Redis later. */
export type Delivery = 'sent' | 'spooled' | 'replayed';

/**
 * What the agent's parts report as they work. The parts know this interface only: `noMetrics` when no
 * metrics port is configured, `PrometheusAgentMetrics` when one is (in its own module: prom-client is loaded only then).
 */
export interface AgentMetrics {
  /** A poll of `source` gave `intervals` device intervals (samples). */
  samplesRead(source: SampleSource, intervals: number): void;
  /** `source` failed: a poll threw, a counter could not be read, its child process died or hung. */
  sourceError(source: SampleSource): void;
  /** A message of `queue` was delivered as `how`; sent and replayed ones are now in Redis. */
  delivered(queue: string, how: Delivery): void;
}

export const noMetrics: AgentMetrics = { samplesRead: () => undefined, sourceError: () => undefined, delivered: () => undefined };
