import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logLines } from './log-lines';
import { ManagedProcess, type ProcessExit } from './managed-process';
import { BUILT } from './repo-paths';
import { waitFor } from './wait-for';

export interface AgentOptions {
  agentId: string;
  node: string;
  /** The HMAC key the collector returned when the agent was registered. */
  key: string;
  redisUrl: string;
  /** Trace to replay (WATTPRINT_REPLAY); the only source the simulated agent uses. */
  replayPath: string;
  replaySpeed: number;
  intervalMs: number;
  flushMs: number;
  /** Any other agent variable. */
  env?: Record<string, string>;
}

/**
 * A `wattprint-agent` process replaying a trace, with its own spool directory kept across restarts,
 * so the persisted next seq carries on and the spool is replayed by the next incarnation.
 */
export class AgentProcess {
  readonly spoolDir = mkdtempSync(join(tmpdir(), 'wattprint-sim-spool-'));
  private readonly process: ManagedProcess;
  /** bootId of each incarnation, in start order, read from its 'agent starting' log line. */
  readonly bootIds: string[] = [];

  constructor(readonly options: AgentOptions) {
    this.process = new ManagedProcess({
      name: `agent:${options.agentId}`,
      command: process.execPath,
      args: [BUILT.agentBin, 'run'],
      env: {
        REDIS_URL: options.redisUrl,
        WATTPRINT_AGENT_ID: options.agentId,
        WATTPRINT_NODE: options.node,
        WATTPRINT_AGENT_KEY: options.key,
        WATTPRINT_SOURCES: 'replay',
        WATTPRINT_REPLAY: options.replayPath,
        WATTPRINT_REPLAY_SPEED: String(options.replaySpeed),
        WATTPRINT_INTERVAL_MS: String(options.intervalMs),
        WATTPRINT_FLUSH_MS: String(options.flushMs),
        WATTPRINT_SPOOL_DIR: this.spoolDir,
        WATTPRINT_LOG_LEVEL: 'info',
        ...options.env,
      },
    });
  }

  get agentId(): string {
    return this.options.agentId;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Starts an incarnation and waits until its replay clock runs; returns its bootId. */
  async start(timeoutMs = 30_000): Promise<string> {
    this.process.start();
    const bootId = await waitFor(
      `${this.process.name} to start`,
      async () => {
        if (!this.process.running) throw new Error(`${this.process.name} exited:\n${this.process.currentOutput().slice(-2000)}`);
        const lines = logLines(this.process.currentOutput());
        if (!lines.some((l) => l.msg === 'sources')) return undefined;
        const starting = lines.find((l) => l.msg === 'agent starting');
        return typeof starting?.bootId === 'string' ? starting.bootId : undefined;
      },
      { timeoutMs, everyMs: 50 },
    );
    this.bootIds.push(bootId);
    return bootId;
  }

  /** Resumes from another trace file (the part of the trace after a crash), then starts. */
  async restartWith(replayPath: string, timeoutMs = 30_000): Promise<string> {
    if (this.process.running) await this.process.kill('SIGKILL');
    this.process.setEnv({ WATTPRINT_REPLAY: replayPath });
    return this.start(timeoutMs);
  }

  /** True once the current incarnation has played its whole trace. */
  get replayFinished(): boolean {
    return logLines(this.process.currentOutput()).some((l) => l.msg === 'replay finished');
  }

  /** SIGKILL: samples not yet flushed are lost, the spool and the next seq survive. */
  async crash(): Promise<ProcessExit> {
    return this.process.kill('SIGKILL');
  }

  /** SIGTERM: a last poll and flush, then exit. */
  async stop(): Promise<ProcessExit> {
    return this.process.kill('SIGTERM', 30_000);
  }

  output(): string {
    return this.process.output();
  }

  async dispose(): Promise<void> {
    await this.process.forceStop();
    rmSync(this.spoolDir, { recursive: true, force: true });
  }
}
