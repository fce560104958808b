import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import IORedis, { Cluster } from 'ioredis';
import { freePort, portIsFree } from './free-port';
import { ManagedProcess } from './managed-process';
import { waitFor } from './wait-for';

const run = promisify(execFile);

export interface RedisClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /**
   * cluster-node-timeout: how long a master may be unreachable before its replica takes over. Short,
   * so a test's failover takes seconds; not so short that a loaded machine's hiccup starts one.
   */
  nodeTimeoutMs?: number;
  redisServer?: string;
  redisCli?: string;
}

/** One node as the cluster sees it (CLUSTER NODES). */
export interface ClusterNodeView {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** The node id of its master, for a replica. */
  masterId: string | null;
  failed: boolean;
  /** [from, to] slot ranges served, for a master. */
  slots: Array<[number, number]>;
}

/** A redis-server of the cluster: a port (its bus port is port + 10000), a directory and a process. */
class ClusterNode {
  readonly dir = mkdtempSync(join(tmpdir(), 'wattprint-sim-cluster-'));
  readonly process: ManagedProcess;

  constructor(
    readonly port: number,
    binary: string,
    nodeTimeoutMs: number,
  ) {
    this.process = new ManagedProcess({
      name: `redis-cluster:${port}`,
      command: binary,
      args: [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        // the shards whose masters are up keep serving while another shard fails over: what queue
        // shards are for (docs/deploy.md, "Queue shards")
        '--cluster-require-full-coverage',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'no',
      ],
      env: {},
    });
  }
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function clusterPort(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10_000 > 65_535 || taken.has(port) || taken.has(port + 10_000) || taken.has(port - 10_000)) continue;
    if (await portIsFree(port + 10_000)) {
      taken.add(port);
      return port;
    }
  }
}

/** Parses CLUSTER NODES. */
export function parseClusterNodes(text: string): ClusterNodeView[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, address, flags, master, , , , , ...slots] = line.trim().split(' ');
      const flagSet = new Set(flags.split(','));
      return {
        id,
        port: Number(address.split('@')[0].split(':').pop()),
        role: flagSet.has('master') ? ('master' as const) : ('replica' as const),
        masterId: master === '-' ? null : master,
        failed: flagSet.has('fail') || flagSet.has('fail?'),
        slots: slots
          .filter((s) => !s.startsWith('['))
          .map((s) => {
            const [from, to] = s.split('-').map(Number);
            return [from, to ?? from] as [number, number];
          }),
      };
    });
}

/**
 * A private Redis Cluster on free ports: `masters` masters with `replicasPerMaster` replicas each,
 * made by `redis-cli --cluster create`. For tests of the queue tier on a cluster, failover included.
 */
export class RedisCluster {
  private readonly cli: string;

  private constructor(
    readonly nodes: ClusterNode[],
    cli: string,
  ) {
    this.cli = cli;
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const { masters = 3, replicasPerMaster = 1, nodeTimeoutMs = 2000, redisServer = 'redis-server', redisCli = 'redis-cli' } = options;
    const taken = new Set<number>();
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < masters * (1 + replicasPerMaster); i++)
      nodes.push(new ClusterNode(await clusterPort(taken), redisServer, nodeTimeoutMs));
    const cluster = new RedisCluster(nodes, redisCli);
    try {
      for (const node of nodes) node.process.start();
      await Promise.all(
        nodes.map((n) => waitFor(`redis-server on ${n.port} to answer`, () => cluster.call(n.port, 'PING'), { everyMs: 50 })),
      );
      await run(redisCli, [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(replicasPerMaster),
        '--cluster-yes',
      ]);
      await cluster.waitHealthy(60_000);
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  /** A seed URL: any live node. */
  get url(): string {
    const live = this.nodes.find((n) => n.process.running);
    return `redis://127.0.0.1:${(live ?? this.nodes[0]).port}`;
  }

  /** One command on one node through redis-cli; its output, trimmed. Throws when the node does not answer. */
  async call(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run(this.cli, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
    return stdout.trim();
  }

  /** The cluster as one live node sees it. */
  async view(port = Number(new URL(this.url).port)): Promise<ClusterNodeView[]> {
    return parseClusterNodes(await this.call(port, 'CLUSTER', 'NODES'));
  }

  /**
   * Waits until every live node says cluster_state:ok, every slot is served by a live master that
   * no live node thinks has failed, and every live replica's link to its master is up (synced), so a
   * master killed after this loses nothing its replica has not got.
   */
  async waitHealthy(timeoutMs = 60_000): Promise<void> {
    const live = () => this.nodes.filter((n) => n.process.running);
    await waitFor(
      'the Redis Cluster to be healthy (cluster_state:ok on every live node, all slots on live masters, replicas synced)',
      async () => {
        for (const node of live()) {
          const info = await this.call(node.port, 'CLUSTER', 'INFO');
          if (!info.includes('cluster_state:ok')) return false;
          const view = await this.view(node.port);
          const livePorts = new Set(live().map((n) => n.port));
          let covered = 0;
          for (const n of view.filter((v) => v.role === 'master' && !v.failed && livePorts.has(v.port)))
            covered += n.slots.reduce((s, [a, b]) => s + b - a + 1, 0);
          if (covered !== 16_384) return false;
          const replication = await this.call(node.port, 'INFO', 'replication');
          if (replication.includes('role:slave') && !replication.includes('master_link_status:up')) return false;
        }
        return true;
      },
      { timeoutMs, everyMs: 200 },
    );
  }

  /** The port of the live master serving a key's slot, as the cluster sees it now. */
  async masterOf(key: string): Promise<number> {
    const port = Number(new URL(this.url).port);
    const slot = Number(await this.call(port, 'CLUSTER', 'KEYSLOT', key));
    const master = (await this.view(port)).find(
      (n) => n.role === 'master' && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b),
    );
    if (!master) throw new Error(`no live master serves slot ${slot} (key ${key})`);
    return master.port;
  }

  /** SIGKILLs a node: a crash, its data gone with it. */
  async kill(port: number): Promise<void> {
    const node = this.nodes.find((n) => n.port === port);
    if (!node) throw new Error(`no node on port ${port}`);
    await node.process.kill('SIGKILL');
  }

  /** A cluster client for the harness itself (BullMQ needs maxRetriesPerRequest null). */
  client(): Cluster {
    const client = new IORedis.Cluster([{ host: '127.0.0.1', port: Number(new URL(this.url).port) }], {
      redisOptions: { maxRetriesPerRequest: null },
    });
    client.on('error', () => undefined);
    return client;
  }

  output(): string {
    return this.nodes.map((n) => `--- ${n.process.name}\n${n.process.output().slice(-2000)}`).join('\n');
  }

  /** Stops every node and removes its files. */
  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.process.forceStop()));
    for (const n of this.nodes) rmSync(n.dir, { recursive: true, force: true });
  }
}
