/**
 * PostgreSQL array literals (`{"a","b"}`, `{1,2.5,NULL}`) written in one pass over the rows. The
 * bucket upsert passes ten arrays of hundreds of elements per group commit; handing node-pg JS
 * arrays made it map each column, then escape every element with two regex replaces.
 * Parameters built here are cast in the SQL (`$1::text[]`), so PostgreSQL parses them as arrays.
 */

// a backslash or a double quote must be escaped inside a quoted element; nothing else must
const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;

/** Each row's string as a quoted element, so empty strings, spaces, commas and "NULL" stay text. */
export function textArrayLiteral<T>(rows: readonly T[], pick: (row: T) => string): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const value = pick(rows[i]);
    out += i === 0 ? '"' : ',"';
    out += NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, '\\$&') : value;
    out += '"';
  }
  return `${out}}`;
}

/** Each row's number in JavaScript's shortest round-trip form (exact for float8), NULL for null. */
export function numberArrayLiteral<T>(rows: readonly T[], pick: (row: T) => number | null): string {
  let out = '{';
  for (let i = 0; i < rows.length; i++) {
    const value = pick(rows[i]);
    if (i > 0) out += ',';
    out += value === null ? 'NULL' : String(value);
  }
  return `${out}}`;
}
