import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { clusterAccountingDashboard } from './dashboards/cluster-accounting.dashboard';
import { forecastsDashboard } from './dashboards/forecasts.dashboard';
import { operationsDashboard } from './dashboards/operations.dashboard';
import { orgViewDashboard } from './dashboards/org-view.dashboard';
import { numberPanels } from './grafana/panel-ids';
import type { YearlyAverages } from './sql/yearly-averages';

/** The command that rewrites deploy/grafana/dashboards from this code, quoted by the drift test. */
export const REGENERATE_COMMAND = 'npx nx run grafana:generate';

/** Every dashboard over the Wattprint PostgreSQL data source (the ledger), by file name under deploy/grafana/dashboards. */
export function dashboards(yearly: YearlyAverages): Map<string, Dashboard> {
  return new Map([
    ['cluster-accounting.json', numberPanels(clusterAccountingDashboard(yearly))],
    ['org-view.json', numberPanels(orgViewDashboard(yearly))],
    ['forecasts.json', numberPanels(forecastsDashboard())],
  ]);
}

/** Every dashboard over Prometheus (the collectors' and agents' own metrics), by file name. */
export function prometheusDashboards(): Map<string, Dashboard> {
  return new Map([['operations.json', numberPanels(operationsDashboard())]]);
}

/** The file contents exactly as checked in: two-space JSON and a final newline, so diffs stay readable. */
export function generate(yearly: YearlyAverages): Map<string, string> {
  return new Map([...dashboards(yearly), ...prometheusDashboards()].map(([file, d]) => [file, `${JSON.stringify(d, null, 2)}\n`]));
}
