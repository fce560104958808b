import { execFile } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '@wattprint/sim';

const run = promisify(execFile);

/** The newest PostgreSQL server installed from Debian's packages, e.g. /usr/lib/postgresql/15/bin. */
function serverBin(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL server under /usr/lib/postgresql: install postgresql');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

/**
 * A PostgreSQL cluster of the test's own (initdb in a temp dir, a random port), so a test can
 * refuse connections, kill backends and restart the server without touching anyone else's
 * database. initdb refuses to run as root: as root it runs as the `postgres` user.
 */
export class PrivatePostgres {
  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly asUser: string[],
  ) {}

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'wattprint-pg-'));
    const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
    if (asUser.length > 0)
      chownSync(
        dir,
        Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
        Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
      );
    const db = new PrivatePostgres(dir, await freePort(), asUser);
    await db.exec(join(serverBin(), 'initdb'), ['-D', db.dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
    await db.serverStart();
    await db.admin('CREATE DATABASE wattprint');
    return db;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private async exec(command: string, args: string[]): Promise<void> {
    const [bin, ...rest] = this.asUser.length > 0 ? [...this.asUser, command, ...args] : [command, ...args];
    await run(bin, rest, { timeout: 60_000 });
  }

  /** URL of the `wattprint` database. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/wattprint`;
  }

  private async serverStart(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
    await this.exec(join(serverBin(), 'pg_ctl'), ['-D', this.dataDir, '-o', options, '-l', join(this.dir, 'server.log'), '-w', 'start']);
  }

  /** Stops the server at once (open connections are cut) and starts it again. */
  async restart(downMs = 0): Promise<void> {
    await this.exec(join(serverBin(), 'pg_ctl'), ['-D', this.dataDir, '-m', 'fast', '-w', 'stop']);
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await this.serverStart();
  }

  /** Runs SQL as the superuser on the `postgres` database. */
  async admin(text: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${this.port}/postgres` });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await client.query(text);
    } finally {
      await client.end();
    }
  }

  /** Ends every backend connected to `wattprint` but the caller's; returns how many. */
  async terminateBackends(): Promise<number> {
    const result = await this.admin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'wattprint' AND pid <> pg_backend_pid()",
    );
    return result.rowCount ?? 0;
  }

  /** Refuses (or allows again) new connections to `wattprint`: SQLSTATE 55000 for whoever tries. */
  async allowConnections(allow: boolean): Promise<void> {
    await this.admin(`ALTER DATABASE wattprint ALLOW_CONNECTIONS ${allow ? 'true' : 'false'}`);
  }

  async stop(): Promise<void> {
    await this.exec(join(serverBin(), 'pg_ctl'), ['-D', this.dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
