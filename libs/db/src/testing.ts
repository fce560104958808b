import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DialectName } from './dialect';

/** The PostgreSQL server tests use; override with WATTPRINT_TEST_PG. */
export const TEST_PG_URL = process.env.WATTPRINT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Both dialects, for `describe.each(DIALECTS)`: every repository test runs on each. */
export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  /** A DATABASE_URL for `connect()`, or for a child process. */
  url: string;
  dialect: DialectName;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: a new SQLite file, or a new schema in the test
 * PostgreSQL database selected through the connection's search_path. Nothing is shared between
 * test files, so suites may run in parallel.
 */
export async function createTestDatabase(dialect: DialectName): Promise<TestDatabase> {
  const name = `wp_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'wattprint-db-'));
    return { url: `sqlite:${join(dir, `${name}.db`)}`, dialect, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = new pg.Client({ connectionString: TEST_PG_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${name}`);
  await admin.end();
  const url = `${TEST_PG_URL}${TEST_PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${name}`)}`;
  return {
    url,
    dialect,
    drop: async () => {
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
      await c.end();
    },
  };
}
