import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/**
 * The data source every panel reads. The uid is fixed so the generated dashboards and the
 * provisioning file (deploy/grafana/provisioning/datasources) meet without a lookup by name.
 */
export const WATTPRINT_DATASOURCE: DataSourceRef = Object.freeze({
  type: 'grafana-postgresql-datasource',
  uid: 'wattprint-postgres',
});
