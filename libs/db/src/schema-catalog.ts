import { type DatabaseIntrospector, type DatabaseMetadata, type Kysely, type SchemaMetadata, sql, type TableMetadata } from 'kysely';

/**
 * Kysely's migrator asks the catalog whether its own two tables exist, and Kysely's PostgreSQL
 * introspector answers with one query over every table of every schema of the database that calls
 * has_schema_privilege() and pg_get_serial_sequence() on each by name. Another tenant of the database
 * (another collector's schema, a test suite's) dropping a schema or a table while that query runs
 * fails it, naming the tenant's relation (3F000, 42P01; both seen in CI). This introspector reads the
 * tables of one schema only, and by oid, so nothing another tenant drops can fail it. It names tables,
 * not columns: all the migrator reads is whether a table exists.
 */
export class SchemaCatalog implements DatabaseIntrospector {
  constructor(
    private readonly db: Kysely<unknown>,
    private readonly schema: string,
  ) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`
      SELECT nspname AS name FROM pg_catalog.pg_namespace WHERE nspname = ${this.schema}`.execute(this.db);
    return rows;
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; is_view: boolean }>`
      SELECT c.relname AS name, c.relkind IN ('v', 'm') AS is_view
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${this.schema} AND c.relkind IN ('r', 'p', 'v', 'm')
      ORDER BY c.relname`.execute(this.db);
    return rows.map((row) => ({ name: row.name, schema: this.schema, isView: row.is_view, columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

/**
 * The same database handle (its connections, transactions and plugins), whose `introspection`
 * reads one schema's tables only (SchemaCatalog). A proxy, since Kysely builds its introspector
 * from the dialect and offers no way to pass another; every other member is the handle's own.
 */
export function withSchemaCatalog(db: Kysely<unknown>, schema: string): Kysely<unknown> {
  const catalog = new SchemaCatalog(db, schema);
  return new Proxy(db, {
    get(target, property) {
      if (property === 'introspection') return catalog;
      // Kysely keeps its state in private fields, which only the handle itself may read
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
