import { JOULES_PER_KWH as J_PER_KWH, formatDuration } from '@wattprint/carbon';
import type { GeneratedScenario } from './generate';

/** `gpu0-3+gpu6`: consecutive device numbers folded into ranges, so an 8-GPU job stays one short cell. */
export function compactDevices(devices: readonly string[]): string {
  const numbers = devices.map((d) => Number(/^gpu(\d+)$/.exec(d)?.[1] ?? NaN));
  if (numbers.some((n) => Number.isNaN(n))) return devices.join('+');
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    ranges.push(j > i ? `gpu${sorted[i]}-${sorted[j]}` : `gpu${sorted[i]}`);
    i = j;
  }
  return ranges.join('+');
}

function placementText(devicesByNode: ReadonlyMap<string, readonly string[]>): string {
  return [...devicesByNode].map(([node, devices]) => `${node}:${compactDevices(devices)}`).join(' ');
}

/** Left-aligned text columns, numbers right-aligned. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const numeric = header.map((_, c) => rows.length > 0 && rows.every((r) => /^-?[\d.]+$/.test(r[c])));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => (numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
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
  const searches = new Map<string, { row: SummaryRow; trials: number; devices: Map<string, string[]> }>();
  for (const job of scenario.jobs) {
    const devices = new Map(job.placement.map((p) => [p.node, [...p.devices]]));
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
      rows.push({ id: job.id, kind: job.kind, placement: placementText(devices), ...base });
      continue;
    }
    const existing = searches.get(search);
    if (!existing) {
      const row = { id: search, kind: 'hp-search', placement: '', ...base };
      searches.set(search, { row, trials: 1, devices });
      rows.push(row);
      continue;
    }
    existing.trials++;
    for (const p of job.placement) existing.devices.set(p.node, [...(existing.devices.get(p.node) ?? []), ...p.devices]);
    existing.row.endMs = Math.max(existing.row.endMs, job.endMs);
    existing.row.truncated ||= job.truncated;
    existing.row.energyJ += base.energyJ;
  }
  for (const { row, trials, devices } of searches.values()) {
    row.kind = `hp-search x${trials}`;
    row.placement = placementText(devices);
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
    return [
      node.id,
      node.site,
      site ? `${site.region} PUE ${site.pue}` : '',
      String(node.devices.length),
      kwh(t.totalJ),
      kwh(t.idleJ),
      kwh(t.totalJ - t.idleJ),
    ];
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
