import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { agentShard } from '@wattprint/protocol';
import { Agent, newBootId } from './agent';
import { Attributor } from './attribution/attributor';
import { ProcessJobs } from './attribution/process-jobs';
import { ProcReader } from './attribution/proc-reader';
import { Batcher } from './batching/batcher';
import { ConfigError, describeConfig, type AgentConfig } from './config/agent-config';
import { JobTracker } from './jobs/job-tracker';
import type { Logger } from './logger';
import type { PrometheusAgentMetrics } from './metrics/prometheus-agent-metrics';
import { chooseSources } from './sources/source-factory';
import { DiskSpool } from './spool/disk-spool';
import { SeqStore } from './spool/seq-store';
import { BullMqSink, type MessageSink } from './transport/bullmq-sink';
import { Outbox } from './transport/outbox';

export interface RunningAgent {
  agent: Agent;
  bootId: string;
  outbox: Outbox;
  spool: DiskSpool;
  /** The port GET /metrics is served on; null when WATTPRINT_AGENT_METRICS_PORT is unset. */
  metricsPort: number | null;
  stop(): Promise<void>;
}

/** Builds every part from the config and starts the loop; `sink` is for tests that bring their own. */
export async function startAgent(config: AgentConfig, log: Logger, sink?: MessageSink): Promise<RunningAgent> {
  if (!config.agentKey) throw new ConfigError(['WATTPRINT_AGENT_KEY: required to sign batches (at least 16 characters)']);
  if (config.agentId.includes(':'))
    throw new ConfigError([`WATTPRINT_AGENT_ID: ${JSON.stringify(config.agentId)} may not contain ":" (BullMQ job ids)`]);
  mkdirSync(config.spoolDir, { recursive: true });
  const bootId = newBootId();
  const queueShard = agentShard(config.agentId, config.queueShards);
  log.info('agent starting', { ...describeConfig(config), bootId, queueShard });
  let spool: DiskSpool | null = null;
  // prom-client is loaded only on agents that serve metrics
  const metrics: PrometheusAgentMetrics | null =
    config.metricsPort === null ? null : new (await import('./metrics/prometheus-agent-metrics')).PrometheusAgentMetrics(() => spool);
  const { sources, problems } = await chooseSources(config, log, metrics ?? undefined);
  for (const p of problems) log.info('source not used', { problem: p });
  if (sources.length === 0) throw new ConfigError([`WATTPRINT_SOURCES: no source found (${problems.join('; ')})`]);
  log.info('sources', { sources: sources.map((s) => s.kind) });
  metrics?.declareSources(sources.map((s) => s.kind));
  spool = await DiskSpool.open(config.spoolDir, config.spoolMaxBytes, log);
  const openSpool = spool;
  // before the first poll, so a scrape sees the agent from its start; a taken port stops the start
  const server =
    metrics === null
      ? null
      : await (await import('./metrics/metrics-server')).serveMetrics(metrics, config.metricsHost, config.metricsPort!, log);
  const seqs = new SeqStore(config.spoolDir);
  const actualSink =
    sink ??
    new BullMqSink(config.redisUrl, log, {
      prefix: config.queuePrefix,
      shard: queueShard,
      cluster: config.redisCluster,
    });
  const outbox = new Outbox(actualSink, spool, log, metrics ?? undefined);
  const agent = new Agent({
    sources,
    attributor: new Attributor(new ProcessJobs(new ProcReader(config.procRoot)), config.gpuSplit, log),
    batcher: new Batcher({ agentId: config.agentId, bootId, node: config.node, key: config.agentKey }, seqs),
    jobs: new JobTracker(
      { agentId: config.agentId, node: config.node, bootId },
      Math.max(config.flushMs, 3 * config.intervalMs),
      randomUUID,
    ),
    outbox,
    key: config.agentKey,
    intervalMs: config.intervalMs,
    flushMs: config.flushMs,
    log,
    metrics: metrics ?? undefined,
  });
  await agent.start();
  return {
    agent,
    bootId,
    outbox,
    spool,
    metricsPort: server?.port ?? null,
    stop: async () => {
      await agent.stop();
      await actualSink.close();
      await openSpool.close();
      await server?.close();
    },
  };
}
