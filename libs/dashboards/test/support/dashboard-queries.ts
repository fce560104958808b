import { join } from 'node:path';
import type { Dashboard, Panel, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { type YearlyAverages, shippedYearlyAverages } from '../../src/sql/yearly-averages';
import type { PostgresQuery } from '../../src/grafana/postgres-query';

export const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

/** libs/carbon's yearly-average table, the one the collector prices with and the generator embeds. */
export function collectorYearlyAverages(): YearlyAverages {
  return shippedYearlyAverages();
}

export interface PanelQuery {
  dashboard: string;
  panel: string;
  type: string;
  query: PostgresQuery;
}

/** Every query of every panel (rows hold none), with the panel it belongs to. */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  return (dashboard.panels ?? [])
    .filter((p): p is Panel => p.type !== 'row')
    .flatMap((p) =>
      (p.targets ?? []).map((t) => ({
        dashboard: dashboard.title ?? '',
        panel: p.title ?? '',
        type: p.type,
        query: t as unknown as PostgresQuery,
      })),
    );
}

export function panelSql(dashboard: Dashboard, title: string): string {
  const found = panelQueries(dashboard).filter((q) => q.panel === title);
  if (found.length !== 1) throw new Error(`expected one query in panel "${title}" of ${dashboard.title}, found ${found.length}`);
  return found[0].query.rawSql;
}

export function variables(dashboard: Dashboard): VariableModel[] {
  return dashboard.templating?.list ?? [];
}
