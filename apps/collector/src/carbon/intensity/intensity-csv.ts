import { ImportFormatError } from '../common/carbon.errors';
import { CSV_COLUMNS, type Kind, type RowResult, checkRow } from './intensity-rows';

/**
 * Reads `region,start,end,g_per_kwh[,kind]` CSV one line at a time, so a file of any size streams
 * through in constant memory. Pure: lines in, checked rows out.
 */

const REQUIRED = ['region', 'start', 'end', 'g_per_kwh'] as const;
const KNOWN = new Set<string>([...REQUIRED, 'kind']);

/** Splits one CSV line into fields (RFC 4180 quoting within a line; no embedded newlines). */
export function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

export class IntensityCsvReader {
  private columns: Map<string, number> | null = null;

  /**
   * @param firstDataLine the line number, in the original file, of the first row after the header:
   *   2 for a whole file; larger when a client posts a file in chunks, so problems name the line of
   *   the file, not of the chunk.
   */
  constructor(
    private readonly defaultKind: Kind,
    private readonly firstDataLine = 2,
  ) {}

  /** The header: required, names the columns in any order; an unknown column is refused. */
  header(line: string): void {
    const raw = splitCsvLine(line.replace(/^\uFEFF/, '')).map((n) => n.trim());
    const names = raw.map((n) => n.toLowerCase());
    for (const [i, name] of names.entries()) {
      if (!KNOWN.has(name)) throw new ImportFormatError(1, `column ${i + 1}`, raw[i], `one of ${[...KNOWN].join(', ')} in a header line`);
    }
    const missing = REQUIRED.filter((r) => !names.includes(r));
    if (missing.length > 0) {
      throw new ImportFormatError(
        1,
        '(header)',
        line.slice(0, 80),
        `a header line naming ${REQUIRED.join(',')}; missing ${missing.join(', ')}`,
      );
    }
    this.columns = new Map(names.map((n, i) => [n, i]));
  }

  /** Checks the n-th data line of the body (0-based); blank lines give null. */
  row(line: string, n: number): RowResult | null {
    if (this.columns === null) throw new Error('IntensityCsvReader.row before header');
    if (line.trim() === '') return null;
    const lineNo = this.firstDataLine + n;
    const fields = splitCsvLine(line);
    if (fields.length !== this.columns.size) {
      return {
        ok: false,
        problems: [
          {
            line: lineNo,
            column: '(row)',
            value: line.length > 60 ? `${line.slice(0, 57)}...` : line,
            expected: `${this.columns.size} comma-separated fields`,
          },
        ],
      };
    }
    const at = (name: string) => {
      const i = this.columns!.get(name);
      return i === undefined ? undefined : fields[i].trim();
    };
    return checkRow(
      { region: at('region'), start: at('start'), end: at('end'), gPerKwh: at('g_per_kwh'), kind: at('kind') },
      CSV_COLUMNS,
      this.defaultKind,
      { line: lineNo },
    );
  }
}
