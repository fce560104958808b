/** RFC 4180 CSV: a header line, then one line per row; fields quoted only when they must be. */
export function toCsv<T>(
  columns: ReadonlyArray<{ header: string; value: (row: T) => string | number | boolean | null }>,
  rows: Iterable<T>,
): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  // A leading = + - @ would run as a formula in a spreadsheet; quote-prefix it (OWASP CSV injection).
  const safe = typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** CSV when asked by `?format=csv`, or by an Accept header preferring text/csv with no format given. */
export function wantsCsv(format: 'json' | 'csv' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  return accept !== undefined && /(^|,)\s*text\/csv\b/i.test(accept);
}

export interface CsvResponse {
  setHeader(name: string, value: string): void;
}

/** Sets the headers of a CSV download named `filename`. */
export function markCsv(response: CsvResponse, filename: string): void {
  response.setHeader('Content-Type', 'text/csv; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
}
