import type { JobSummary as ApiJob, TimelineMinute, UsageRow } from '@wattprint/api-client';
import { MINUTE_MS } from '@wattprint/carbon';

/** What the table shows of a job (GET /api/v1/jobs). */
export type JobSummary = Pick<ApiJob, 'id' | 'name' | 'user' | 'team' | 'state' | 'lastSeenAt' | 'energyKWh' | 'co2eqKg'>;
/** What the table shows of a site (GET /api/v1/usage?groupBy=site). */
export type SiteFigures = Pick<UsageRow, 'key' | 'energyKWh' | 'facilityEnergyKWh' | 'co2eqKg'>;

/**
 * A job's power now: the mean power of its latest complete minute, i.e. the latest timeline minute that
 * ends at or before the job's last sample (the minute after it is still filling up). Null when no
 * minute is complete yet.
 */
export function powerNowW(timeline: TimelineMinute[], lastSeenAt: string): number | null {
  const lastSeen = Date.parse(lastSeenAt);
  let best: TimelineMinute | null = null;
  for (const m of timeline) {
    const start = Date.parse(m.minute);
    if (start + MINUTE_MS <= lastSeen && (best === null || start > Date.parse(best.minute))) best = m;
  }
  return best === null ? null : best.meanPowerW;
}

/** Running jobs first (most energy first), then the most recently ended; at most `maxRows`. */
export function pickJobRows(jobs: JobSummary[], maxRows: number): { rows: JobSummary[]; more: number } {
  const running = jobs.filter((j) => j.state !== 'ended').sort((a, b) => b.energyKWh - a.energyKWh || a.id.localeCompare(b.id));
  const ended = jobs
    .filter((j) => j.state === 'ended')
    .sort((a, b) => Date.parse(b.lastSeenAt) - Date.parse(a.lastSeenAt) || a.id.localeCompare(b.id));
  const rows = [...running, ...ended].slice(0, maxRows);
  return { rows, more: jobs.length - rows.length };
}

/** Sums usage rows (one per site and day) per site. */
export function sitesTotals(rows: SiteFigures[]): SiteFigures[] {
  const bySite = new Map<string, SiteFigures>();
  for (const r of rows) {
    const key = r.key ?? '(no site)';
    const t = bySite.get(key) ?? { key, energyKWh: 0, facilityEnergyKWh: 0, co2eqKg: 0 };
    t.energyKWh += r.energyKWh;
    t.facilityEnergyKWh += r.facilityEnergyKWh;
    t.co2eqKg += r.co2eqKg;
    bySite.set(key, t);
  }
  return [...bySite.values()].sort((a, b) => String(a.key).localeCompare(String(b.key)));
}

export interface TableView {
  jobs: JobSummary[];
  /** Power now per job id (null: no complete minute yet; absent: not asked, e.g. ended). */
  powerW: Map<string, number | null>;
  sites: SiteFigures[];
  traceStartMs: number;
  traceEndMs: number;
  /** The trace time the replay has reached. */
  traceNowMs: number;
  speed: number;
  maxRows: number;
}

function table(header: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

const kwh = (v: number) => v.toFixed(3);
const kg = (v: number) => v.toFixed(3);
const watts = (v: number | null | undefined) => (v === null || v === undefined ? '-' : `${Math.round(v).toLocaleString('en')} W`);

/** The live table as lines of plain text (no cursor control: the caller decides how to draw them). */
export function renderTable(view: TableView): string[] {
  const span = view.traceEndMs - view.traceStartMs;
  const reached = Math.min(view.traceEndMs, Math.max(view.traceStartMs, view.traceNowMs));
  const percent = span > 0 ? Math.floor(((reached - view.traceStartMs) / span) * 100) : 100;
  const clock = new Date(reached).toISOString().slice(11, 19);
  const lines = [
    `replay at ${clock} UTC (x${view.speed}), ${percent} % of the trace${percent >= 100 ? ' - finished; the API stays up until Ctrl-C' : ''}`,
    '',
  ];
  const sites = sitesTotals(view.sites);
  lines.push(
    ...table(
      ['site', 'energy kWh', 'facility kWh', 'CO2eq kg'],
      sites.map((s) => [String(s.key), kwh(s.energyKWh), kwh(s.facilityEnergyKWh), kg(s.co2eqKg)]),
      new Set([1, 2, 3]),
    ),
    '',
  );
  const { rows, more } = pickJobRows(view.jobs, view.maxRows);
  lines.push(
    ...table(
      ['job', 'user', 'team', 'state', 'energy kWh', 'CO2eq kg', 'power now'],
      rows.map((j) => [
        j.id,
        j.user ?? '-',
        j.team ?? '-',
        j.state,
        kwh(j.energyKWh),
        kg(j.co2eqKg),
        j.state === 'ended' ? '-' : watts(view.powerW.get(j.id)),
      ]),
      new Set([4, 5, 6]),
    ),
  );
  const running = view.jobs.filter((j) => j.state !== 'ended').length;
  lines.push(`${view.jobs.length} jobs, ${running} running${more > 0 ? `; ${more} more not shown` : ''}`);
  return lines;
}
