import { ManagedProcess, type ProcessExit } from './managed-process';
import { freePort } from './free-port';
import { BUILT } from './repo-paths';
import { waitFor } from './wait-for';

export type CollectorRole = 'all' | 'api' | 'worker';

export interface CollectorOptions {
  name: string;
  databaseUrl: string;
  redisUrl: string;
  role: CollectorRole;
  bootstrapToken?: string;
  /** Any other WATTPRINT_* variable (concurrency, group commit, rate limit, …). */
  env?: Record<string, string>;
}

/** A `wattprint-collector` process (the built dist/main.js) on a port of its own. */
export class CollectorProcess {
  private readonly process: ManagedProcess;

  private constructor(
    readonly name: string,
    readonly port: number,
    env: Record<string, string>,
  ) {
    this.process = new ManagedProcess({ name, command: process.execPath, args: [BUILT.collectorMain], env });
  }

  /** Starts it and waits for /ready (database and Redis both up). */
  static async start(options: CollectorOptions, readyTimeoutMs = 60_000): Promise<CollectorProcess> {
    const port = await freePort();
    const env: Record<string, string> = {
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      WATTPRINT_ROLE: options.role,
      ...(options.bootstrapToken ? { WATTPRINT_BOOTSTRAP_TOKEN: options.bootstrapToken } : {}),
      ...options.env,
    };
    const collector = new CollectorProcess(options.name, port, env);
    await collector.start(readyTimeoutMs);
    return collector;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process.running;
  }

  get starts(): number {
    return this.process.starts;
  }

  async start(readyTimeoutMs = 60_000): Promise<void> {
    this.process.start();
    await this.waitReady(readyTimeoutMs);
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${this.name} to answer /ready`,
      async () => {
        if (!this.process.running) throw new Error(`${this.name} exited:\n${this.process.currentOutput().slice(-2000)}`);
        const res = await fetch(`${this.baseUrl}/ready`);
        return res.status === 200;
      },
      { timeoutMs, everyMs: 100 },
    );
  }

  /** SIGKILL: a crash mid-stream; the batches it held stay active in BullMQ until their locks expire. */
  async crash(): Promise<ProcessExit> {
    return this.process.kill('SIGKILL');
  }

  /** SIGSTOP: frozen with its connections open; it takes no new message until resumed. */
  pause(): void {
    this.process.pause();
  }

  resume(): void {
    this.process.resume();
  }

  /** SIGTERM: the graceful shutdown a deploy does. */
  async stop(): Promise<ProcessExit> {
    return this.process.kill('SIGTERM', 30_000);
  }

  async restart(readyTimeoutMs = 60_000): Promise<void> {
    if (this.process.running) await this.process.kill('SIGKILL');
    await this.start(readyTimeoutMs);
  }

  /** The Prometheus text of /metrics. */
  async metrics(): Promise<string> {
    const res = await fetch(`${this.baseUrl}/metrics`);
    if (res.status !== 200) throw new Error(`${this.name} /metrics answered ${res.status}`);
    return res.text();
  }

  output(): string {
    return this.process.output();
  }

  async forceStop(): Promise<void> {
    await this.process.forceStop();
  }
}
