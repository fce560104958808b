// Reads on a real PostgreSQL: bounded by their statement timeout, cancelled on the server when their
// signal aborts, and writes (anything outside `asRead`) untouched by either. pg_sleep stands for a
// long report here; it appears in this test only.
import { sql } from 'kysely';
import pg from 'pg';
import { type DatabaseHandle, connect } from './connect';
import { ReadCancelledError, ReadTimeoutError } from './reads';
import { createTestDatabase, type TestDatabase } from './testing';

jest.setTimeout(30_000);

/** The state of a backend in pg_stat_activity, or 'gone'. */
async function backendState(admin: pg.Client, pid: number): Promise<string> {
  const { rows } = await admin.query<{ state: string | null }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [pid]);
  return rows[0]?.state ?? 'gone';
}

async function poll(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('reads on postgres', () => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle;
  let admin: pg.Client;

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres');
    handle = connect({ url: testDb.url, readTimeoutMs: 300 });
    admin = new pg.Client({ connectionString: testDb.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await handle?.close();
    await testDb?.drop();
  });

  const sleep = (seconds: number) => sql`SELECT pg_sleep(${seconds})`.execute(handle.db);

  it('bounds a read by its statement timeout, and nothing outside a read', async () => {
    await expect(handle.asRead(new AbortController().signal, () => sleep(2))).rejects.toEqual(new ReadTimeoutError(300));
    await expect(handle.asRead(new AbortController().signal, () => sleep(2))).rejects.toBeInstanceOf(ReadTimeoutError);
    // a write's connection never carries the reads' timeout
    await expect(sleep(0.6)).resolves.toBeDefined();
    const { rows } = await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(handle.db);
    expect(rows[0].statement_timeout).toBe('0');
  });

  it('cancels the statement on the server when the signal aborts', async () => {
    const unbounded = connect({ url: testDb.url });
    try {
      const gone = new AbortController();
      const read = unbounded.asRead(gone.signal, () =>
        sql<{ pid: number }>`SELECT pg_backend_pid() AS pid, pg_sleep(20)`.execute(unbounded.db),
      );
      let pid = 0;
      await poll('the read to run', async () => {
        const { rows } = await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_backend_pid() AS pid, pg_sleep%' AND pid <> pg_backend_pid()",
        );
        pid = rows[0]?.pid ?? 0;
        return pid !== 0;
      });
      gone.abort();
      await expect(read).rejects.toBeInstanceOf(ReadCancelledError);
      await poll('the backend to go idle', async () => ['idle', 'gone'].includes(await backendState(admin, pid)));
      // the connection is fine for the next read, which a late cancel must not reach
      await expect(unbounded.asRead(new AbortController().signal, () => sql`SELECT 1 AS one`.execute(unbounded.db))).resolves.toEqual({
        rows: [{ one: 1 }],
      });
    } finally {
      await unbounded.close();
    }
  });

  it('runs nothing for a read whose client has already gone', async () => {
    const gone = new AbortController();
    gone.abort();
    await expect(handle.asRead(gone.signal, () => sql`SELECT 1`.execute(handle.db))).rejects.toBeInstanceOf(ReadCancelledError);
  });
});

describe('reads on sqlite', () => {
  it('run as they are: better-sqlite3 statements cannot be interrupted from JavaScript', async () => {
    const testDb = await createTestDatabase('sqlite');
    const handle = connect({ url: testDb.url, readTimeoutMs: 1 });
    try {
      const gone = new AbortController();
      gone.abort();
      await expect(handle.asRead(gone.signal, () => sql`SELECT 1 AS one`.execute(handle.db))).resolves.toEqual({ rows: [{ one: 1 }] });
    } finally {
      await handle.close();
      await testDb.drop();
    }
  });
});
