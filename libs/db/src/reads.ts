import { AsyncLocalStorage } from 'node:async_hooks';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * A read the database runs on behalf of someone who may stop waiting for it (an HTTP client). Every
 * query started inside `ReadScope.run` (awaits included) belongs to it.
 */
interface ReadScope {
  /** Aborted when nobody waits for the answer any more. */
  signal: AbortSignal;
}

const readScopes = new AsyncLocalStorage<ReadScope>();

/** Runs `fn` and everything it starts as a read that `signal` can stop (see `DatabaseHandle.asRead`). */
export function runAsRead<T>(signal: AbortSignal, fn: () => T): T {
  return readScopes.run({ signal }, fn);
}

/** A read ran past its statement timeout (`readTimeoutMs`) and PostgreSQL cancelled it. */
export class ReadTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the read ran past its ${timeoutMs} ms statement timeout and was cancelled`);
    this.name = 'ReadTimeoutError';
  }
}

/** A read was stopped because whoever asked for it went away (its signal aborted). */
export class ReadCancelledError extends Error {
  constructor() {
    super('the read was cancelled: its client went away');
    this.name = 'ReadCancelledError';
  }
}

/** SQLSTATE query_canceled: a statement timeout and a pg_cancel_backend both end a query with it. */
const QUERY_CANCELED = '57014';

function isQueryCanceled(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === QUERY_CANCELED;
}

/** The server's words for a statement timeout, as opposed to a cancel request ("due to user request"). */
function isStatementTimeout(error: unknown): boolean {
  return isQueryCanceled(error) && /statement timeout/.test(String((error as { message?: unknown }).message));
}

/**
 * The PostgreSQL backend serving a client: node-postgres keeps it from the server's BackendKeyData as
 * `processID` (its own `cancel` uses it); @types/pg does not declare it.
 */
function backendPid(client: pg.PoolClient): number | null {
  const pid = (client as pg.PoolClient & { processID?: unknown }).processID;
  return typeof pid === 'number' ? pid : null;
}

/**
 * What Kysely sees as its pg pool. Outside a read scope it is the write pool itself, untouched (ingest,
 * maintenance and every non-GET request). Inside one it hands out a client of the read pool, whose
 * connections carry the reads' `statement_timeout`, and cancels the statement that client runs when
 * the scope's signal aborts.
 *
 * node-postgres 8 has no AbortSignal for a query (brianc/node-postgres#2774): PostgreSQL only cancels
 * from another connection, so the cancel is `pg_cancel_backend(pid)` sent through the write pool. The
 * client is not given back to the read pool before that cancel has returned, so a cancel can never
 * reach a later read that the same connection serves.
 */
export class ReadRoutingPool implements PostgresPool {
  constructor(
    private readonly writes: pg.Pool,
    private readonly reads: pg.Pool,
    /** The reads' statement timeout, for the error a timed-out read answers; 0 = none. */
    private readonly readTimeoutMs: number,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    const scope = readScopes.getStore();
    if (scope === undefined) return this.writes.connect();
    if (scope.signal.aborted) throw new ReadCancelledError();
    const client = await this.reads.connect();
    // the client may have gone while this read waited for a free connection
    if (scope.signal.aborted) {
      client.release();
      throw new ReadCancelledError();
    }
    return this.scoped(client, scope.signal);
  }

  async end(): Promise<void> {
    await Promise.all([this.writes.end(), this.reads.end()]);
  }

  private scoped(client: pg.PoolClient, signal: AbortSignal): PostgresPoolClient {
    let running = 0;
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      if (running > 0) cancelling = this.cancelBackend(backendPid(client));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const query = async (sql: string, parameters: ReadonlyArray<unknown>) => {
      if (signal.aborted) throw new ReadCancelledError();
      running++;
      try {
        return await client.query(sql, parameters as unknown[]);
      } catch (error) {
        if (isStatementTimeout(error)) throw new ReadTimeoutError(this.readTimeoutMs);
        if (signal.aborted && isQueryCanceled(error)) throw new ReadCancelledError();
        throw error;
      } finally {
        running--;
      }
    };
    const release = (destroy?: boolean) => {
      signal.removeEventListener('abort', onAbort);
      if (cancelling === undefined) client.release(destroy);
      else void cancelling.finally(() => client.release(destroy));
    };
    // the cursor overload is never called: the dialect is built without a cursor (no streamed queries)
    return { query: query as unknown as PostgresPoolClient['query'], release };
  }

  /** Best effort: a cancel that fails (the database is down) leaves the statement to its timeout. */
  private async cancelBackend(pid: number | null): Promise<void> {
    if (pid === null) return;
    await this.writes.query('SELECT pg_cancel_backend($1)', [pid]).then(
      () => undefined,
      () => undefined,
    );
  }
}
