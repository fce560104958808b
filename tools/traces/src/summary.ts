import { formatDuration } from './duration';
import type { GeneratedScenario } from './generate';

const J_PER_KWH = 3_600_000;

/** Left-aligned text columns, numbers right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^-?[\d.]+$/.test(r[c])));
  const line = (cells: string[]) =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

interface SummaryRow {
  id: string;
  kind: string;
  user: string;
  team: string;
  project: string;
  placement: string;
  startMs: number;
  endMs: number;
  truncated: boolean;
  energyJ: number;
}

/** One row per job, except that the trials of a search fold into one row: a sweep is one decision. */
export function summaryRows(generated: GeneratedScenario): SummaryRow[] {
  const { scenario, truth } = generated;
  const rows: SummaryRow[] = [];
  const searches = new Map<string, { row: SummaryRow; trials: number; devices: Set<string> }>();
  for (const job of scenario.jobs) {
    const placement = job.placement.map((p) => `${p.node}:${p.devices.join('+')}`).join(' ');
    const base = {
      user: job.metadata.user,
      team: job.metadata.team,
      project: job.metadata.project,
      startMs: job.startMs,
      endMs: job.endMs,
      truncated: job.truncated,
      energyJ: truth.jobs[job.id].energyJ,
    };
    const search = job.metadata.labels?.search;
    if (!search) {
      rows.push({ id: job.id, kind: job.kind, placement, ...base });
      continue;
    }
    const existing = searches.get(search);
    if (!existing) {
      const row = { id: search, kind: 'hp-search', placement, ...base };
      searches.set(search, { row, trials: 1, devices: new Set(job.placement.flatMap((p) => p.devices.map((d) => `${p.node}:${d}`))) });
      rows.push(row);
      continue;
    }
    existing.trials++;
    for (const p of job.placement) for (const d of p.devices) existing.devices.add(`${p.node}:${d}`);
    existing.row.endMs = Math.max(existing.row.endMs, job.endMs);
    existing.row.truncated ||= job.truncated;
    existing.row.energyJ += base.energyJ;
  }
  for (const { row, trials, devices } of searches.values()) {
    row.kind = `hp-search x${trials}`;
    const nodes = [...new Set([...devices].map((d) => d.split(':')[0]))];
    row.placement = `${nodes.join(' ')}:${devices.size} gpus`;
  }
  return rows;
}

/** What a person wants to see after generating: the jobs, the nodes and where the energy went. */
export function summarize(generated: GeneratedScenario): string {
  const { scenario, truth } = generated;
  const kwh = (j: number) => (j / J_PER_KWH).toFixed(3);
  const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const jobRows = summaryRows(generated).map((row) => [
    row.id,
    row.kind,
    row.user,
    row.team,
    row.project,
    row.placement,
    time(row.startMs),
    formatDuration(row.endMs - row.startMs) + (row.truncated ? '+' : ''),
    kwh(row.energyJ),
  ]);
  const siteOf = new Map(scenario.sites.map((s) => [s.id, s]));
  const nodeRows = scenario.nodes.map((node) => {
    const site = siteOf.get(node.site);
    const t = truth.nodes[node.id];
    return [node.id, node.site, site ? `${site.region} PUE ${site.pue}` : '', String(node.devices.length), kwh(t.totalJ), kwh(t.idleJ), kwh(t.totalJ - t.idleJ)];
  });
  return [
    `Scenario seed ${scenario.seed}: ${scenario.nodes.length} nodes x ${scenario.nodes[0]?.devices.length ?? 0} ${scenario.profile.name} ` +
      `(idle ${scenario.profile.idleW} W, limit ${scenario.profile.tdpW} W), ` +
      `${new Date(scenario.startMs).toISOString()} .. ${new Date(scenario.endMs).toISOString()}, every ${formatDuration(scenario.intervalMs)}`,
    '',
    formatTable(['job', 'kind', 'user', 'team', 'project', 'placement', 'start', 'length', 'kWh'], jobRows),
    '(+ = still running at the end of the window)',
    '',
    formatTable(['node', 'site', 'grid', 'gpus', 'total kWh', 'idle kWh', 'jobs kWh'], nodeRows),
    '',
    `cluster ${kwh(truth.clusterJ)} kWh, of which idle ${kwh(truth.idleJ)} kWh; ${scenario.jobs.length} jobs`,
  ].join('\n');
}
