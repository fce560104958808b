export { PostgresQueryBuilder, type PostgresQuery } from './grafana/postgres-query';
export { WATTPRINT_DATASOURCE } from './grafana/datasource';
export { CLUSTER_ACCOUNTING_UID, SITE_OPTIONS_SQL, clusterAccountingDashboard } from './dashboards/cluster-accounting.dashboard';
export { ORG_VIEW_UID, PROJECT_OPTIONS_SQL, TEAM_OPTIONS_SQL, orgViewDashboard } from './dashboards/org-view.dashboard';
export { REGENERATE_COMMAND, dashboards, generate } from './generate';
export { energyWith, FIGURES, type Dimension, type EnergyScope } from './sql/energy.sql';
export { hourFactorsCtes } from './sql/emission-factors.sql';
export { FROM_MS, INTERVAL_MS, TO_MS } from './sql/grafana-macros';
export { YearlyAveragesError, parseYearlyAverages, shippedYearlyAverages, type YearlyAverages } from './sql/yearly-averages';
