import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphDrawStyle,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  VizLegendOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import { type Panel, QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as StatPanelBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanelBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeriesPanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { WATTPRINT_DATASOURCE } from './datasource';
import { PostgresQueryBuilder } from './postgres-query';

/** Grafana unit ids used by the dashboards. */
export const UNIT = {
  kWh: 'kwatth',
  kg: 'masskg',
  hours: 'h',
  share: 'percentunit',
  none: 'none',
  gPerKWh: 'suffix: g/kWh',
} as const;

export interface PanelText {
  title: string;
  /** Shown in the panel's (i) tooltip: what the figure is and how it is derived. */
  description: string;
  sql: string;
}

function query(sql: string, format: 'time_series' | 'table'): PostgresQueryBuilder {
  return new PostgresQueryBuilder(sql).refId('A').datasource(WATTPRINT_DATASOURCE).format(format);
}

/** One big number over the dashboard range. */
export function statPanel(p: PanelText & { unit: string; decimals?: number; width?: number }): Builder<Panel> {
  return new StatPanelBuilder()
    .title(p.title)
    .description(p.description)
    .datasource(WATTPRINT_DATASOURCE)
    .withTarget(query(p.sql, 'table'))
    .unit(p.unit)
    .decimals(p.decimals ?? 1)
    .graphMode(BigValueGraphMode.None)
    .colorMode(BigValueColorMode.None)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .height(4)
    .span(p.width ?? 4);
}

/** Series over time: long rows (time, metric, value) or one column per series. */
export function timeSeriesPanel(p: PanelText & { unit: string; stacked?: boolean; bars?: boolean; width?: number }): Builder<Panel> {
  return new TimeSeriesPanelBuilder()
    .title(p.title)
    .description(p.description)
    .datasource(WATTPRINT_DATASOURCE)
    .withTarget(query(p.sql, 'time_series'))
    .unit(p.unit)
    .drawStyle(p.bars ? GraphDrawStyle.Bars : GraphDrawStyle.Line)
    .fillOpacity(p.bars ? 80 : 10)
    .stacking(new StackingConfigBuilder().mode(p.stacked ? StackingMode.Normal : StackingMode.None))
    .legend(
      new VizLegendOptionsBuilder()
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['sum', 'mean', 'max'])
        .showLegend(true),
    )
    .height(8)
    .span(p.width ?? 12);
}

/** Rows with a unit per column, named exactly as the SQL aliases them. */
export function tablePanel(p: PanelText & { columnUnits: Record<string, string>; width?: number; height?: number }): Builder<Panel> {
  let panel = new TablePanelBuilder()
    .title(p.title)
    .description(p.description)
    .datasource(WATTPRINT_DATASOURCE)
    .withTarget(query(p.sql, 'table'))
    .decimals(2)
    .height(p.height ?? 9)
    .span(p.width ?? 24);
  for (const [column, unit] of Object.entries(p.columnUnits)) panel = panel.overrideByName(column, [{ id: 'unit', value: unit }]);
  return panel;
}

/**
 * A multi-value variable with "All", filled by SQL and refreshed with the time range. Every option
 * query returns at least one row (the placeholder for missing values), so "All" never expands to
 * an empty `IN ()`.
 */
export function multiVariable(v: { name: string; label: string; sql: string }): QueryVariableBuilder {
  return new QueryVariableBuilder(v.name)
    .label(v.label)
    .datasource(WATTPRINT_DATASOURCE)
    .query(v.sql)
    .definition(v.sql)
    .multi(true)
    .includeAll(true)
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}
