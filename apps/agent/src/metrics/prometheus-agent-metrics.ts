import type { SampleSource } from '@wattprint/protocol';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentMetrics, Delivery } from './agent-metrics';

/** What the spool gauge reads at each scrape. */
export interface SpoolFigures {
  readonly bytes: number;
  readonly records: number;
}

/**
 * The agent's Prometheus figures, in a registry of its own, with the default Node process metrics
 * under their standard names (process_cpu_seconds_total, process_resident_memory_bytes, nodejs_*).
 */
export class PrometheusAgentMetrics implements AgentMetrics {
  readonly registry = new Registry();
  private readonly samples: Counter<'source'>;
  private readonly errors: Counter<'source'>;
  private readonly messages: Counter<'queue' | 'result'>;
  private readonly lastSend: Gauge;

  constructor(spool: () => SpoolFigures | null) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.samples = new Counter({
      name: 'wattprint_agent_samples_total',
      help: 'Device intervals (samples) read, by source.',
      labelNames: ['source'],
      registers,
    });
    this.errors = new Counter({
      name: 'wattprint_agent_source_errors_total',
      help: 'Source faults, by source: a failed poll, an unreadable counter, a child process that died or hung.',
      labelNames: ['source'],
      registers,
    });
    this.messages = new Counter({
      name: 'wattprint_agent_messages_total',
      help: 'Messages by queue (samples: batches; job-events) and result: sent to Redis, spooled to disk, replayed from the spool to Redis.',
      labelNames: ['queue', 'result'],
      registers,
    });
    this.lastSend = new Gauge({
      name: 'wattprint_agent_last_send_timestamp_seconds',
      help: 'Unix time of the last message Redis took (sent or replayed); 0 before the first.',
      registers,
    });
    this.lastSend.set(0);
    new Gauge({
      name: 'wattprint_agent_spool_bytes',
      help: 'Bytes of messages in the disk spool, waiting for Redis.',
      registers,
      collect() {
        this.set(spool()?.bytes ?? 0);
      },
    });
    new Gauge({
      name: 'wattprint_agent_spool_records',
      help: 'Messages in the disk spool, waiting for Redis.',
      registers,
      collect() {
        this.set(spool()?.records ?? 0);
      },
    });
  }

  /** Every series of a source at 0 from the start, so a rate over it exists before its first sample or fault. */
  declareSources(sources: readonly SampleSource[]): void {
    for (const source of sources) {
      this.samples.inc({ source }, 0);
      this.errors.inc({ source }, 0);
    }
  }

  samplesRead(source: SampleSource, intervals: number): void {
    this.samples.inc({ source }, intervals);
  }

  sourceError(source: SampleSource): void {
    this.errors.inc({ source });
  }

  delivered(queue: string, how: Delivery): void {
    this.messages.inc({ queue, result: how });
    if (how !== 'spooled') this.lastSend.set(Date.now() / 1000);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
