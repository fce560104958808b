import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { LegendDisplayMode, LegendPlacement, VizLegendOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import type { Panel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeSeriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * The Prometheus that scrapes the collectors and agents. The uid is fixed so the generated operations
 * dashboard and the provisioning file (deploy/grafana/provisioning/datasources) meet without a lookup.
 */
export const PROMETHEUS_DATASOURCE: DataSourceRef = Object.freeze({ type: 'prometheus', uid: 'wattprint-prometheus' });

export interface PromTarget {
  expr: string;
  /** Series name in the legend, e.g. `{{route}}`. */
  legend: string;
}

export interface PromPanelText {
  title: string;
  /** Shown in the panel's (i) tooltip: what the figure is and what to do when it looks wrong. */
  description: string;
  targets: PromTarget[];
  unit: string;
  width?: number;
}

/** Series over time from PromQL; one query per target, refIds A, B, … */
export function promTimeSeriesPanel(p: PromPanelText): Builder<Panel> {
  let panel = new TimeSeriesPanelBuilder()
    .title(p.title)
    .description(p.description)
    .datasource(PROMETHEUS_DATASOURCE)
    .unit(p.unit)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['mean', 'max', 'lastNotNull'])
        .showLegend(true),
    )
    .height(8)
    .span(p.width ?? 12);
  p.targets.forEach((t, i) => {
    panel = panel.withTarget(
      new DataqueryBuilder()
        .refId(String.fromCharCode(65 + i))
        .datasource(PROMETHEUS_DATASOURCE)
        .expr(t.expr)
        .legendFormat(t.legend)
        .range(),
    );
  });
  return panel;
}

/**
 * The metric names a PromQL expression reads: Wattprint's own (`wattprint_*`) and the standard Node
 * process ones (`process_*`, `nodejs_*`), histogram series (`_bucket`) included as written.
 */
export function metricNamesOf(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b((?:wattprint|process|nodejs)_[a-z0-9_]+)\b/g)].map((m) => m[1]))];
}
