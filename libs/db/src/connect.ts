import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type DialectName, dialectOf, sqlitePath } from './dialect';
import { ReadRoutingPool, runAsRead } from './reads';
import type { Database } from './schema';

// PostgreSQL returns bigint (int8) and numeric as strings; our bigints are epoch milliseconds and
// counts that fit a double exactly, so read them as numbers.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface ConnectOptions {
  /** `postgres://…` or an SQLite file path (`sqlite:` prefix optional). */
  url: string;
  /** PostgreSQL pool size, of the writes' pool and of the reads' pool each. */
  poolSize?: number;
  /**
   * PostgreSQL: the `statement_timeout` of reads (queries run inside `asRead`), in ms; 0 or unset:
   * none. Writes are never subject to it.
   */
  readTimeoutMs?: number;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Closes the pool or the SQLite file. */
  close(): Promise<void>;
  /**
   * Runs `fn`, and every query it starts, as a read that nobody may wait for any more once `signal`
   * aborts. PostgreSQL: those queries run on a pool of their own whose connections carry
   * `readTimeoutMs` as `statement_timeout` (failing with ReadTimeoutError past it), and an abort
   * cancels the statement running (ReadCancelledError). SQLite: `fn` runs as is; better-sqlite3 runs
   * each statement synchronously on the event loop, so there is nothing JavaScript could interrupt.
   */
  asRead<T>(signal: AbortSignal, fn: () => T): T;
}

/**
 * Switches the file to WAL once (the mode is stored in the file). The switch needs the file to
 * itself and SQLite does not wait for that, so a replica opening the file while another migrates it
 * retries for a few seconds instead of failing with "database is locked".
 */
function enableWal(sqlite: SqliteDatabase.Database): void {
  for (let attempt = 1; ; attempt++) {
    try {
      if (sqlite.pragma('journal_mode', { simple: true }) === 'wal') return;
      sqlite.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') || attempt >= 100) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

/**
 * Opens the database a URL names. SQLite runs in WAL mode with a busy timeout, so several collector
 * processes on one machine can share the embedded file.
 */
export function connect(options: ConnectOptions): DatabaseHandle {
  const dialect = dialectOf(options.url);
  if (dialect === 'postgres') {
    const max = options.poolSize ?? 10;
    const writes = quietPool(new pg.Pool({ connectionString: options.url, max }));
    // Reads get connections of their own: a pile of long reads cannot take the connections ingest
    // commits on, and the timeout is a startup parameter of the session, so it costs no round trip
    // per read and never applies to a write (`SET LOCAL` would need a transaction around every read).
    // pg opens connections on demand: a worker-only process never opens one here.
    const readTimeoutMs = options.readTimeoutMs ?? 0;
    const reads = quietPool(
      new pg.Pool({ connectionString: options.url, max, ...(readTimeoutMs > 0 ? { statement_timeout: readTimeoutMs } : {}) }),
    );
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new ReadRoutingPool(writes, reads, readTimeoutMs) }) });
    return { db, dialect, close: () => db.destroy(), asRead: runAsRead };
  }
  const file = sqlitePath(options.url);
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('busy_timeout = 10000');
  enableWal(sqlite);
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, dialect, close: () => db.destroy(), asRead: (_signal, fn) => fn() };
}

/**
 * A client's network error (a terminated backend, a reset socket) must not crash the process: the
 * pool handles idle clients' errors, and the second listener those of clients checked out between two
 * queries, which would otherwise be an unhandled 'error' event. The query in flight, or the next one,
 * fails instead; the pool then drops the client and opens a new one when asked.
 */
function quietPool(pool: pg.Pool): pg.Pool {
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
