import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import IORedis from 'ioredis';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { redisAnswers } from './redis-ping';
import { waitFor } from './wait-for';

export interface RedisServerOptions {
  /** redis-server binary; PATH by default. */
  binary?: string;
}

/**
 * A private redis-server on a free port, durable across its own restarts: AOF with fsync on every
 * write, so stopping it (even with SIGKILL) and starting it again loses no acknowledged job, as a
 * production Redis configured for BullMQ would. `noeviction`, as BullMQ requires.
 */
export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'wattprint-sim-redis-'));
  private readonly process: ManagedProcess;

  private constructor(
    readonly port: number,
    binary: string,
  ) {
    this.process = new ManagedProcess({
      name: `redis-server:${port}`,
      command: binary,
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'no',
      ],
      env: {},
    });
  }

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options.binary ?? 'redis-server');
    await server.start();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Starts the server (again) and waits until it answers PING with its data loaded. */
  async start(): Promise<void> {
    this.process.start();
    await waitFor(`redis-server on port ${this.port} to answer`, () => this.ping(), { timeoutMs: 15_000, everyMs: 50 });
  }

  private async ping(): Promise<boolean> {
    if (!this.process.running) throw new Error(`redis-server exited: ${this.process.currentOutput().slice(-500)}`);
    return redisAnswers(this.url, 10_000); // ioredis' own default connect timeout, as before
  }

  /** Stops it: SIGKILL (a crash; the AOF holds every acknowledged write) or SIGTERM (a clean shutdown). */
  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.process.running) await this.process.kill(signal);
  }

  /** A client for the harness itself: BullMQ needs maxRetriesPerRequest null. */
  client(): IORedis {
    const client = new IORedis(this.url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    return client;
  }

  output(): string {
    return this.process.output();
  }

  /** Stops the server and removes its files. */
  async dispose(): Promise<void> {
    await this.process.forceStop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
