import { DAY_MS } from '@wattprint/carbon';

/**
 * Checks one imported intensity row (a CSV line or a JSON element): pure, so the CSV reader, the JSON
 * importer and their tests share the same rules and the same wording of problems.
 */

export type Kind = 'actual' | 'forecast';

export interface ImportedPeriod {
  region: string;
  periodStart: number;
  periodEnd: number;
  gPerKwh: number;
  kind: Kind;
}

/** One bad value: where it was, what it was, what was expected. */
export interface RowProblem {
  /** Line of the CSV file (1 = header); absent for JSON. */
  line?: number;
  /** Index of the element in the JSON array; absent for CSV. */
  index?: number;
  column: string;
  value: string;
  expected: string;
}

export type RowResult = { ok: true; period: ImportedPeriod } | { ok: false; problems: RowProblem[] };

/** Column names as the input spells them: CSV `g_per_kwh`, JSON `gPerKwh`. */
export interface ColumnNames {
  region: string;
  start: string;
  end: string;
  gPerKwh: string;
  kind: string;
}

export const CSV_COLUMNS: ColumnNames = { region: 'region', start: 'start', end: 'end', gPerKwh: 'g_per_kwh', kind: 'kind' };
export const JSON_FIELDS: ColumnNames = { region: 'region', start: 'start', end: 'end', gPerKwh: 'gPerKwh', kind: 'kind' };

const REGION = /^[A-Za-z0-9_.-]{1,64}$/;
// ISO 8601 date-time with a zone; the zone is required so an import never depends on the server's.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** Far above any real grid (coal-only grids are near 1,100 g/kWh): a larger figure is a unit mistake. */
export const MAX_G_PER_KWH = 5000;
/** A period longer than a week is not an hourly-or-finer series. */
export const MAX_PERIOD_MS = 7 * DAY_MS;

function show(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Epoch ms of an ISO 8601 date-time with a zone (seconds optional), or null when it is not one or names no real day. */
export function parseTime(value: unknown): number | null {
  if (typeof value !== 'string' || !ISO_WITH_ZONE.test(value)) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2026-02-30 over to March 2; a date that does not exist is a typo, not a time.
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  const daysInMonth = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth ? ms : null;
}

function parseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * Validates one row. Every bad column is reported, not just the first, so one pass over a file
 * shows everything to fix. `defaultKind` applies when the row has no kind of its own.
 */
export function checkRow(
  raw: { region: unknown; start: unknown; end: unknown; gPerKwh: unknown; kind?: unknown },
  names: ColumnNames,
  defaultKind: Kind,
  where: { line?: number; index?: number },
): RowResult {
  const problems: RowProblem[] = [];
  const bad = (column: string, value: unknown, expected: string) => problems.push({ ...where, column, value: show(value), expected });

  const region = typeof raw.region === 'string' ? raw.region.trim() : raw.region;
  if (typeof region !== 'string' || !REGION.test(region)) {
    bad(names.region, raw.region, 'a region code of letters, digits and . _ - (at most 64), e.g. DE or US-CAL-CISO');
  }
  const start = parseTime(raw.start);
  if (start === null) bad(names.start, raw.start, 'an ISO 8601 date-time with a zone, e.g. 2026-11-20T10:00:00Z');
  const end = parseTime(raw.end);
  if (end === null) bad(names.end, raw.end, 'an ISO 8601 date-time with a zone, e.g. 2026-11-20T11:00:00Z');
  if (start !== null && end !== null) {
    if (end <= start) bad(names.end, raw.end, `a time after start (${show(raw.start)})`);
    else if (end - start > MAX_PERIOD_MS) bad(names.end, raw.end, `a period of at most 7 days after start (${show(raw.start)})`);
  }
  const g = parseNumber(raw.gPerKwh);
  if (g === null || g < 0 || g > MAX_G_PER_KWH) bad(names.gPerKwh, raw.gPerKwh, `a number of gCO2eq/kWh from 0 to ${MAX_G_PER_KWH}`);
  let kind: Kind = defaultKind;
  if (raw.kind !== undefined && raw.kind !== null && raw.kind !== '') {
    if (raw.kind === 'actual' || raw.kind === 'forecast') kind = raw.kind;
    else bad(names.kind, raw.kind, 'actual or forecast');
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, period: { region: region as string, periodStart: start!, periodEnd: end!, gPerKwh: g!, kind } };
}
