import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CollectorClient } from '@wattprint/api-client';
import { HOUR_MS, MINUTE_MS, formatDuration, hourStartOf, minuteStartOf } from '@wattprint/carbon';
import { MAX_QUEUE_SHARDS } from '@wattprint/protocol';
import { ManagedProcess, portIsFree } from '@wattprint/sim';
import { JobEventPublisher } from './job-event-publisher';
import { planJobEvents } from './job-event-plan';
import { pickJobRows, powerNowW, renderTable } from './live-table';
import type { QuickstartOptions } from './quickstart-options';
import { type ConsumerCounts, QueueConsumers, strayConsumerWarnings } from './queue-consumers';
import { redactRedisUrl, resolveRedis, type RedisEndpoint } from './redis-endpoint';
import { readScenario, type Scenario } from './scenario-file';
import type { WorkspacePaths } from './workspace-paths';

/** Thrown inside `start` when a stop was asked for while starting: not an error to report. */
class StopRequested extends Error {}

export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function zeroCounts(): ConsumerCounts {
  return { samples: 0, 'job-events': 0, 'dead-letters': 0 };
}

/** One run of the quick start: Redis, collector, agents, job events, live table; then an orderly stop. */
export class QuickstartSession {
  private redis: RedisEndpoint | null = null;
  private collector: ManagedProcess | null = null;
  private readonly agents: ManagedProcess[] = [];
  private publisher: JobEventPublisher | null = null;
  private tableTimer: NodeJS.Timeout | null = null;
  private stopReason: { why: string; code: number } | null = null;
  private wakeStop: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.wakeStop = resolve));
  private readonly logDir: string;
  private readonly traceDir: string;
  private scenario: Scenario | null = null;
  private replayStartedAt = 0;
  private banner: string[] = [];
  private api: CollectorClient | null = null;
  private consumers: QueueConsumers | null = null;
  /** Consumers on this run's queues that are its own collector's; any more are strays. */
  private ownConsumers: ConsumerCounts | null = null;

  constructor(
    private readonly options: QuickstartOptions,
    private readonly paths: WorkspacePaths,
    private readonly env: NodeJS.ProcessEnv,
    private readonly out: NodeJS.WriteStream,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {
    this.logDir = join(options.dataDir, 'logs');
    this.traceDir = join(options.dataDir, 'cluster');
  }

  /** Starts everything, waits for a stop request, stops everything; the exit code. */
  async run(): Promise<number> {
    try {
      await this.start();
    } catch (error) {
      if (!(error instanceof StopRequested)) this.requestStop((error as Error).message, 1);
    }
    await this.stopped;
    const reason = this.stopReason!;
    // One line on stderr says what went wrong (e.g. how to install Redis); the stop report goes to stdout.
    if (reason.code !== 0) this.err.write(`error: ${reason.why}\n`);
    await this.shutdown(reason.code === 0 ? reason.why : 'error');
    return reason.code;
  }

  /** Asks the session to stop (first request wins). */
  requestStop(why: string, code: number): void {
    if (this.stopReason) return;
    this.stopReason = { why, code };
    this.wakeStop();
  }

  killNow(): void {
    for (const agent of this.agents) agent.killNow();
    this.collector?.killNow();
    this.redis?.server?.killNow();
  }

  private checkpoint(): void {
    if (this.stopReason) throw new StopRequested();
  }

  private progress(line: string): void {
    this.out.write(`${line}\n`);
  }

  private async start(): Promise<void> {
    const o = this.options;
    // A demo database: each run starts empty, so the bootstrap token and agent ids are fresh.
    for (const part of ['cluster', 'spool', 'logs', 'quickstart.db', 'quickstart.db-wal', 'quickstart.db-shm'])
      rmSync(join(o.dataDir, part), { recursive: true, force: true });
    mkdirSync(this.logDir, { recursive: true });
    if (!(await portIsFree(o.port))) throw new StartError(`port ${o.port} is in use; choose another with --port`);

    this.redis = await resolveRedis(this.env, o.ownRedis, this.logDir);
    this.progress(`redis: ${redactRedisUrl(this.redis.url)} (${this.redis.origin}), queues under ${o.queuePrefix}`);
    this.watch(this.redis.server, 'redis.log');
    // the collector and agents inherit WATTPRINT_QUEUE_SHARDS from the caller's environment (and refuse
    // a bad one themselves): count consumers on every shard they will use
    const shards = Number(this.env.WATTPRINT_QUEUE_SHARDS || '1');
    this.consumers = new QueueConsumers(
      this.redis.url,
      o.queuePrefix,
      Number.isInteger(shards) && shards >= 1 && shards <= MAX_QUEUE_SHARDS ? shards : 1,
    );
    const before = await this.consumers.count();
    for (const warning of strayConsumerWarnings(o.queuePrefix, zeroCounts(), before)) this.progress(warning);
    this.checkpoint();

    this.scenario = this.generateTraces();
    const scenario = this.scenario;
    this.progress(`traces: ${scenario.nodes.length} nodes, ${scenario.jobs.length} jobs in ${this.traceDir}; starting the collector`);

    const bootstrap = randomBytes(24).toString('hex');
    const baseUrl = `http://127.0.0.1:${o.port}`;
    this.collector = new ManagedProcess({
      name: 'collector',
      command: process.execPath,
      args: [this.paths.collectorMain],
      env: {
        ...this.env,
        PORT: String(o.port),
        DATABASE_URL: `sqlite:${join(o.dataDir, 'quickstart.db')}`,
        REDIS_URL: this.redis.url,
        WATTPRINT_ROLE: 'all',
        WATTPRINT_BOOTSTRAP_TOKEN: bootstrap,
        WATTPRINT_QUEUE_PREFIX: o.queuePrefix, // this run's own queues, whatever the caller's environment says
        WATTPRINT_RATE_LIMIT_PER_MINUTE: '100000', // the live table asks for every running job's timeline
      },
      logFile: join(this.logDir, 'collector.log'),
      ownGroup: true,
    });
    this.collector.start();
    this.watch(this.collector, 'collector.log');
    const api = new CollectorClient({ baseUrl, token: bootstrap });
    this.api = api;
    const deadline = Date.now() + 90_000;
    while (!(await api.ready())) {
      this.checkpoint();
      if (Date.now() > deadline)
        throw new StartError(`the collector did not become ready within 90 s; see ${join(this.logDir, 'collector.log')}`);
      await sleep(200);
    }
    this.ownConsumers = await this.collectorConsumers(before);
    this.checkpoint();

    this.progress('collector ready: creating the admin token, sites, agents; importing the grid intensity');
    const adminToken = (await api.createToken({ name: 'quickstart admin', role: 'admin' })).secret;
    api.useToken(adminToken);
    for (const site of scenario.sites) await api.createSite(site);
    const keys = new Map<string, string>();
    const agentOf = (node: string) => `agent-${node}`;
    for (const node of scenario.nodes)
      keys.set(node.id, (await api.registerAgent({ id: agentOf(node.id), node: node.id, siteId: node.site })).key);
    const intensity = await api.importIntensity(readFileSync(join(this.traceDir, 'intensity.csv'), 'utf8'), {
      contentType: 'text/csv',
      source: 'quickstart',
    });
    if (intensity.rejected > 0)
      throw new StartError(`the intensity import rejected ${intensity.rejected} rows of ${join(this.traceDir, 'intensity.csv')}`);
    this.checkpoint();

    // the jobs' metadata, start and end come as a scheduler's would: through the job-events API
    const scheduler = new CollectorClient({
      baseUrl,
      token: (await api.createToken({ name: 'quickstart scheduler', role: 'scheduler' })).secret,
    });
    const publisher = new JobEventPublisher(scheduler, planJobEvents(scenario, randomBytes(4).toString('hex')), (error) =>
      this.requestStop(`publishing job events failed: ${error.message}`, 1),
    );
    this.publisher = publisher;
    for (const node of scenario.nodes) {
      const agent = new ManagedProcess({
        name: `agent ${node.id}`,
        command: process.execPath,
        args: [this.paths.agentBin, 'run'],
        env: {
          ...this.env,
          WATTPRINT_CONFIG: '',
          REDIS_URL: this.redis.url,
          WATTPRINT_QUEUE_PREFIX: o.queuePrefix,
          WATTPRINT_AGENT_ID: agentOf(node.id),
          WATTPRINT_NODE: node.id,
          WATTPRINT_AGENT_KEY: keys.get(node.id)!,
          WATTPRINT_SOURCES: 'replay',
          WATTPRINT_REPLAY: join(this.traceDir, node.traceFile),
          WATTPRINT_REPLAY_SPEED: String(o.speed),
          WATTPRINT_SPOOL_DIR: join(o.dataDir, 'spool', node.id),
        },
        logFile: join(this.logDir, `agent-${node.id}.log`),
        ownGroup: true,
      });
      agent.start();
      this.agents.push(agent);
      this.watch(agent, `agent-${node.id}.log`);
    }
    this.replayStartedAt = Date.now();
    publisher.start(this.replayStartedAt, scenario.startMs, o.speed);

    this.banner = this.describe(baseUrl, adminToken);
    this.out.write(`${this.banner.join('\n')}\n`);
    void this.refreshLoop();
  }

  /**
   * Writes the simulated cluster (traces, scenario, intensity) with tools/traces, ending at the current
   * minute: the replay plays the last hours, never times ahead of the collector's clock (which it
   * refuses past an hour ahead, as it would from a real agent).
   */
  private generateTraces(): Scenario {
    const o = this.options;
    const startIso = new Date(minuteStartOf(Date.now()) - o.durationMs).toISOString();
    const args = [
      this.paths.tracesCli,
      '--out',
      this.traceDir,
      '--nodes',
      String(o.nodes),
      '--gpus',
      String(o.gpus),
      '--duration',
      formatDuration(o.durationMs),
    ];
    args.push('--interval', '1s', '--seed', String(o.seed), '--start', startIso, '--quiet');
    const result = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new StartError(`generating the traces failed: ${(result.stderr || result.error?.message || '').trim()}`);
    return readScenario(join(this.traceDir, 'scenario.json'));
  }

  private describe(baseUrl: string, token: string): string[] {
    const s = this.scenario!;
    const o = this.options;
    const sites = s.sites.map((site) => `${site.id} PUE ${site.pue} grid ${site.region}`).join(', ');
    const replayMinutes = (s.endMs - s.startMs) / o.speed / MINUTE_MS;
    const redis = this.redis!;
    return [
      'Wattprint quick start',
      `  API      ${baseUrl}/api/v1        docs ${baseUrl}/docs        metrics ${baseUrl}/metrics`,
      `  token    export WATTPRINT_URL=${baseUrl} WATTPRINT_TOKEN=${token}    (admin; this run only: the CLI reads both)`,
      `  try      curl -s ${baseUrl}/api/v1/jobs -H "Authorization: Bearer $WATTPRINT_TOKEN"`,
      `  cluster  ${s.nodes.length} nodes x ${o.gpus} GPUs on ${s.sites.length} sites (${sites}); ${s.jobs.length} jobs in ${formatDuration(s.endMs - s.startMs)} of trace, replayed x${o.speed} (${replayMinutes.toFixed(1)} min)`,
      `  redis    ${redactRedisUrl(redis.url)} (${redis.origin === 'started' ? `started redis-server pid ${redis.server?.pid}; stopped on exit` : redis.origin === 'local' ? 'the local Redis' : 'REDIS_URL'})`,
      `  queues   ${o.queuePrefix} (this run's own: no other collector on this Redis takes its batches)`,
      `  data     ${o.dataDir} (database, traces, logs; emptied at the next start)`,
      'Ctrl-C stops everything.',
    ];
  }

  /** Turns an unexpected exit of a child into a stop of the whole session. */
  private watch(child: ManagedProcess | null, log: string): void {
    if (!child) return;
    child.exited().then(
      ({ code, signal }) => {
        if (!child.expectedToStop) this.requestStop(`${child.name} exited (${signal ?? `code ${code}`}); see ${join(this.logDir, log)}`, 1);
      },
      (error: Error) => this.requestStop(error.message, 1),
    );
  }

  private async refreshLoop(): Promise<void> {
    if (this.stopReason) return;
    let lines: string[];
    try {
      lines = await this.tableLines();
    } catch (error) {
      lines = [`(table refresh failed: ${(error as Error).message})`];
    }
    if (this.stopReason) return;
    if (this.out.isTTY) {
      this.out.write(`\x1b[H\x1b[2J${[...this.banner, '', ...lines].join('\n')}\n`);
    } else {
      this.out.write(`--- ${new Date().toISOString()}\n${lines.join('\n')}\n`);
    }
    this.tableTimer = setTimeout(() => void this.refreshLoop(), this.options.refreshMs);
  }

  private async tableLines(): Promise<string[]> {
    const api = this.api!;
    const s = this.scenario!;
    const jobs = await api.jobs();
    const sites = (await api.usage({ groupBy: 'site', from: new Date(hourStartOf(s.startMs)), to: new Date(s.endMs + HOUR_MS) })).rows;
    const maxRows = this.out.isTTY && this.out.rows ? Math.max(5, this.out.rows - this.banner.length - 14) : 15;
    const powerW = new Map<string, number | null>();
    for (const job of pickJobRows(jobs, maxRows).rows) {
      if (job.state !== 'ended') powerW.set(job.id, powerNowW((await api.job(job.id)).timeline, job.lastSeenAt));
    }
    const prefix = this.options.queuePrefix;
    const strays =
      this.consumers && this.ownConsumers ? strayConsumerWarnings(prefix, this.ownConsumers, await this.consumers.count()) : [];
    const table = renderTable({
      jobs,
      powerW,
      sites,
      traceStartMs: s.startMs,
      traceEndMs: s.endMs,
      traceNowMs: s.startMs + (Date.now() - this.replayStartedAt) * this.options.speed,
      speed: this.options.speed,
      maxRows,
    });
    return [...strays, ...table];
  }

  /**
   * The consumers this run's collector opens on its queues: counted once it is ready, less those that
   * were there before it started (strays, warned about already).
   */
  private async collectorConsumers(before: ConsumerCounts): Promise<ConsumerCounts> {
    const deadline = Date.now() + 10_000;
    let now = await this.consumers!.count();
    // The worker connects a moment after /ready; wait for it on the two queues it consumes.
    while ((now.samples <= before.samples || now['job-events'] <= before['job-events']) && Date.now() < deadline) {
      await sleep(100);
      now = await this.consumers!.count();
    }
    const own = zeroCounts();
    for (const queue of Object.keys(own) as Array<keyof ConsumerCounts>) own[queue] = now[queue] - before[queue];
    return own;
  }

  /** Agents first (they flush), then the collector once the queue is drained, then Redis if it is ours. */
  private async shutdown(why: string): Promise<void> {
    if (this.tableTimer) clearTimeout(this.tableTimer);
    const started = this.agents.length > 0 || this.collector !== null || this.redis?.server;
    if (!started) return;
    this.out.write(`\nstopping (${why})\n`);
    await this.publisher?.close();
    await this.consumers?.close();
    const agents = await Promise.all(this.agents.map((a) => a.stop('SIGTERM', 15_000)));
    let forced = agents.filter((a) => a.killed).length;
    if (agents.length > 0)
      this.out.write(
        `  agents stopped (${agents.length}${forced > 0 ? `; ${forced} killed after 15 s without exiting` : ', each after its last flush'})\n`,
      );
    if (this.collector?.running && this.agents.length > 0) await this.waitForDrain(15_000);
    if (this.collector) {
      const { killed } = await this.collector.stop('SIGTERM', 20_000);
      if (killed) forced++;
      this.out.write(killed ? '  collector killed: it did not close within 20 s\n' : '  collector closed\n');
    }
    if (this.redis?.server) {
      const { killed } = await this.redis.server.stop('SIGTERM', 10_000);
      if (killed) forced++;
      this.out.write(killed ? '  redis-server killed after 10 s\n' : '  redis-server stopped\n');
    }
    const clean = this.stopReason?.code === 0 && forced === 0;
    this.out.write(clean ? 'stopped cleanly\n' : 'stopped\n');
  }

  /** Waits until the collector has taken every batch the agents' last flush published. */
  private async waitForDrain(timeoutMs: number): Promise<void> {
    const url = `http://127.0.0.1:${this.options.port}/metrics`;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const text = await (await fetch(url, { signal: AbortSignal.timeout(2000) })).text();
        // every state of the samples queue (waiting, active, …) empty
        const depths = [...text.matchAll(/^wattprint_queue_depth\{[^}]*queue="samples"[^}]*\} (\S+)$/gm)];
        if (depths.length > 0 && depths.every((d) => Number(d[1]) === 0)) return;
      } catch {
        return; // no collector to wait for
      }
      await sleep(200);
    }
    this.out.write('  (the collector did not drain the queue in time; the rest stays in Redis)\n');
  }
}
