import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { operationsMetricNames } from '../src/dashboards/operations.dashboard';
import { REGENERATE_COMMAND, dashboards, generate, prometheusDashboards } from '../src/generate';
import { REPO_ROOT, collectorYearlyAverages, panelQueries } from './support/dashboard-queries';

const DIR = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards');

describe('checked-in dashboards', () => {
  const files = generate(collectorYearlyAverages());

  it('are exactly what the code generates', () => {
    const onDisk = readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const stale = [...files]
      .filter(([file, text]) => !onDisk.includes(file) || readFileSync(join(DIR, file), 'utf8') !== text)
      .map(([f]) => f);
    const extra = onDisk.filter((f) => !files.has(f));
    if (stale.length > 0 || extra.length > 0) {
      throw new Error(
        `deploy/grafana/dashboards is out of date (${[...stale, ...extra].join(', ')}); regenerate with: ${REGENERATE_COMMAND}`,
      );
    }
  });

  it('have unique uids and panel ids, and read only the Wattprint data source', () => {
    const all = [...dashboards(collectorYearlyAverages()).values()];
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all) {
      const ids = (d.panels ?? []).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const q of panelQueries(d)) {
        expect(q.query.datasource).toEqual({ type: 'grafana-postgresql-datasource', uid: 'wattprint-postgres' });
        expect(q.query).toMatchObject({ rawQuery: true, editorMode: 'code' });
      }
    }
  });

  it('the operations dashboard reads only Prometheus, with unique panel ids, and each panel a query', () => {
    const ops = prometheusDashboards().get('operations.json')!;
    const sqlUids = [...dashboards(collectorYearlyAverages()).values()].map((d) => d.uid);
    expect(sqlUids).not.toContain(ops.uid);
    const ids = (ops.panels ?? []).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const panels = (ops.panels ?? []).filter((p) => p.type !== 'row') as Array<{
      title?: string;
      targets?: Array<Record<string, unknown>>;
    }>;
    expect(panels.length).toBeGreaterThanOrEqual(15);
    for (const p of panels) {
      expect({ panel: p.title, targets: (p.targets ?? []).length > 0 }).toEqual({ panel: p.title, targets: true });
      for (const t of p.targets ?? []) {
        expect(t.datasource).toEqual({ type: 'prometheus', uid: 'wattprint-prometheus' });
        expect(String(t.expr)).toMatch(/\b(wattprint|process|nodejs)_/);
      }
    }
    // what the issue asks the dashboard to show, by the metrics that show it
    expect(operationsMetricNames(ops)).toEqual(
      expect.arrayContaining([
        'wattprint_ingest_batches_total',
        'wattprint_ingest_lag_seconds_bucket',
        'wattprint_queue_depth',
        'wattprint_http_requests_total',
        'wattprint_http_request_duration_seconds_bucket',
        'wattprint_dead_letters_total',
        'wattprint_ingest_db_outages_total',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'wattprint_agent_samples_total',
        'wattprint_agent_source_errors_total',
        'wattprint_agent_messages_total',
        'wattprint_agent_spool_bytes',
        'wattprint_agent_last_send_timestamp_seconds',
      ]),
    );
  });
});
