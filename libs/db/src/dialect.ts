export type DialectName = 'postgres' | 'sqlite';

/** Which dialect a DATABASE_URL names: `postgres://` / `postgresql://`, else an SQLite file path (`sqlite:` prefix optional). */
export function dialectOf(url: string): DialectName {
  return /^postgres(ql)?:\/\//.test(url) ? 'postgres' : 'sqlite';
}

/** The file of an SQLite URL: `sqlite:/abs/path.db`, `sqlite:rel.db`, a bare path, or `:memory:`. */
export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/, '');
}
