/**
 * Parsing of `nvidia-smi --query-… --format=csv` output. nvidia-smi separates cells with ", " and never
 * quotes, so a process name holding ", " spills into extra cells: the free-text column takes them back.
 */

/** Every token nvidia-smi prints in place of a value it cannot give. */
export const MISSING_VALUE_TOKENS = [
  '[N/A]',
  '[Not Supported]',
  '[Insufficient Permissions]',
  '[Unknown Error]',
  '[Requested functionality has been deprecated]',
] as const;

export class NvidiaSmiParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NvidiaSmiParseError';
  }
}

/** True for a cell that stands for a missing value: the known tokens, and any other `[…]` a newer driver may add. */
export function isMissingValue(cell: string): boolean {
  return (MISSING_VALUE_TOKENS as readonly string[]).includes(cell) || /^\[[^\]]*\]$/.test(cell);
}

/** Field name of a header cell: `power.draw [W]` → `power.draw`. */
export function headerField(cell: string): string {
  return cell.replace(/\s*\[[^\]]*\]\s*$/, '').trim();
}

export function parseHeader(line: string): string[] {
  return line.split(',').map((c) => headerField(c));
}

/** Splits a row into as many cells as the header has, merging the overflow into the free-text column. */
export function splitRow(line: string, columns: number, freeTextColumn: number | null): string[] {
  const parts = line.split(', ').map((p) => p.trim());
  if (parts.length === columns) return parts;
  if (parts.length > columns && freeTextColumn !== null) {
    const extra = parts.length - columns;
    const merged = parts.slice(freeTextColumn, freeTextColumn + extra + 1).join(', ');
    return [...parts.slice(0, freeTextColumn), merged, ...parts.slice(freeTextColumn + extra + 1)];
  }
  throw new NvidiaSmiParseError(`expected ${columns} cells, got ${parts.length} in ${JSON.stringify(line.slice(0, 200))}`);
}

/** A number cell with or without its unit (`39.32 W`, `0 %`, `214 MiB`, `39.32`); null when missing. */
export function parseNumberCell(field: string, cell: string): number | null {
  if (isMissingValue(cell)) return null;
  const match = /^(-?\d+(?:\.\d+)?)(?:\s*(?:W|%|MiB|MHz|C|J|mJ))?$/.exec(cell);
  if (!match) throw new NvidiaSmiParseError(`${field}: expected a number with an optional unit, got ${JSON.stringify(cell)}`);
  return Number(match[1]);
}

export function parseTextCell(cell: string): string | null {
  return isMissingValue(cell) ? null : cell;
}

/** The `--query-gpu` fields the agent asks for; `power.draw.average` is dropped for drivers that lack it. */
export const GPU_FIELDS = [
  'index',
  'uuid',
  'name',
  'power.draw',
  'power.draw.average',
  'utilization.gpu',
  'memory.used',
  'memory.total',
] as const;
export const APPS_FIELDS = ['gpu_uuid', 'pid', 'process_name', 'used_gpu_memory'] as const;

export interface GpuRow {
  index: number;
  uuid: string | null;
  name: string;
  powerDrawW: number | null;
  powerAverageW: number | null;
  utilization: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
  /** Field → token for every field the card left out, e.g. `utilization.gpu` → `[N/A]` under MIG. */
  missing: Record<string, string>;
}

export interface AppRow {
  gpuUuid: string;
  pid: number;
  processName: string;
  usedMemoryMiB: number | null;
}

/** Column positions of a header line, by field name. */
export class CsvColumns {
  private readonly index = new Map<string, number>();
  readonly count: number;

  constructor(header: string[]) {
    header.forEach((name, i) => this.index.set(name, i));
    this.count = header.length;
  }

  static fromHeaderLine(line: string): CsvColumns {
    return new CsvColumns(parseHeader(line));
  }

  has(field: string): boolean {
    return this.index.has(field);
  }

  position(field: string): number | null {
    return this.index.get(field) ?? null;
  }

  cell(cells: string[], field: string): string | null {
    const i = this.index.get(field);
    return i === undefined ? null : cells[i];
  }
}

/** True when a line is a header of the given query (nvidia-smi may repeat it, e.g. after a driver hiccup). */
export function isHeaderLine(line: string, firstField: string): boolean {
  return headerField(line.split(',')[0] ?? '') === firstField;
}

function numberOrNull(columns: CsvColumns, cells: string[], field: string, missing: Record<string, string>): number | null {
  const cell = columns.cell(cells, field);
  if (cell === null) return null;
  if (isMissingValue(cell)) {
    missing[field] = cell;
    return null;
  }
  return parseNumberCell(field, cell);
}

export function parseGpuRow(columns: CsvColumns, line: string): GpuRow {
  const cells = splitRow(line, columns.count, columns.position('name'));
  const missing: Record<string, string> = {};
  const index = numberOrNull(columns, cells, 'index', missing);
  if (index === null) throw new NvidiaSmiParseError(`index: expected a GPU index, got ${JSON.stringify(columns.cell(cells, 'index'))}`);
  return {
    index,
    uuid: parseTextCell(columns.cell(cells, 'uuid') ?? '[N/A]'),
    name: parseTextCell(columns.cell(cells, 'name') ?? '[N/A]') ?? `GPU ${index}`,
    powerDrawW: numberOrNull(columns, cells, 'power.draw', missing),
    powerAverageW: numberOrNull(columns, cells, 'power.draw.average', missing),
    utilization: numberOrNull(columns, cells, 'utilization.gpu', missing),
    memoryUsedMiB: numberOrNull(columns, cells, 'memory.used', missing),
    memoryTotalMiB: numberOrNull(columns, cells, 'memory.total', missing),
    missing,
  };
}

/** The power to integrate: the driver's own 1 s average where the card reports it, else the sampled draw. */
export function powerForEnergy(row: GpuRow): number | null {
  return row.powerAverageW ?? row.powerDrawW;
}

export function parseAppRow(columns: CsvColumns, line: string): AppRow {
  const cells = splitRow(line, columns.count, columns.position('process_name'));
  const uuid = columns.cell(cells, 'gpu_uuid');
  const pidCell = columns.cell(cells, 'pid');
  const pid = pidCell === null ? NaN : Number(pidCell);
  if (!uuid || isMissingValue(uuid)) throw new NvidiaSmiParseError(`gpu_uuid: expected a GPU UUID, got ${JSON.stringify(uuid)}`);
  if (!Number.isInteger(pid) || pid <= 0) throw new NvidiaSmiParseError(`pid: expected a positive integer, got ${JSON.stringify(pidCell)}`);
  const mem = columns.cell(cells, 'used_gpu_memory');
  return {
    gpuUuid: uuid,
    pid,
    processName: columns.cell(cells, 'process_name') ?? '',
    usedMemoryMiB: mem === null ? null : parseNumberCell('used_gpu_memory', mem),
  };
}

/** Parses a whole `--query-compute-apps` output (header first, then one row per process). */
export function parseAppsOutput(text: string): AppRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) return [];
  const columns = CsvColumns.fromHeaderLine(lines[0]);
  for (const field of ['gpu_uuid', 'pid']) {
    if (!columns.has(field)) throw new NvidiaSmiParseError(`compute-apps header lacks ${field}: ${JSON.stringify(lines[0])}`);
  }
  return lines.slice(1).map((l) => parseAppRow(columns, l));
}

/** Parses a whole `--query-gpu` output: header first, then rows; a repeated header resets the columns. */
export function parseGpuOutput(text: string): GpuRow[] {
  let columns: CsvColumns | null = null;
  const rows: GpuRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    if (columns === null || isHeaderLine(line, 'index') || isHeaderLine(line, 'timestamp')) {
      columns = CsvColumns.fromHeaderLine(line);
      continue;
    }
    rows.push(parseGpuRow(columns, line));
  }
  return rows;
}
