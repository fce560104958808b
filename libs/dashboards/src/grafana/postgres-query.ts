import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/**
 * A query of Grafana's PostgreSQL data source in code mode. The foundation SDK ships no PostgreSQL
 * query type, so this is the custom Dataquery variant its README describes; the field names are the
 * ones Grafana's PostgreSQL plugin stores in dashboard JSON.
 */
export interface PostgresQuery {
  refId?: string;
  hide?: boolean;
  datasource?: DataSourceRef;
  /** `time_series` turns long rows (time, metric, value) into one series per metric; `table` keeps rows. */
  format: 'time_series' | 'table';
  /** Raw SQL with Grafana macros and template variables; the visual query editor is not used. */
  rawQuery: true;
  editorMode: 'code';
  rawSql: string;
  _implementsDataqueryVariant(): void;
}

/** The SDK's marker that a type is a Dataquery variant; it is never called and not serialised. */
function markDataquery(): void {
  return undefined;
}

export class PostgresQueryBuilder implements Builder<Dataquery> {
  private readonly internal: PostgresQuery;

  constructor(rawSql: string) {
    this.internal = { format: 'table', rawQuery: true, editorMode: 'code', rawSql, _implementsDataqueryVariant: markDataquery };
  }

  build(): PostgresQuery {
    return this.internal;
  }

  refId(refId: string): this {
    this.internal.refId = refId;
    return this;
  }

  datasource(datasource: DataSourceRef): this {
    this.internal.datasource = datasource;
    return this;
  }

  format(format: PostgresQuery['format']): this {
    this.internal.format = format;
    return this;
  }

  hide(hide: boolean): this {
    this.internal.hide = hide;
    return this;
  }
}
