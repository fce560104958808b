import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types of the collector's database. One schema for PostgreSQL and SQLite, so types stay
 * portable: times are epoch milliseconds (bigint in PostgreSQL, read back as numbers), booleans are
 * 0/1 integers, JSON is text.
 */

/** Idle energy (a device no job holds) is booked to this job id, so node totals always add up. */
export const IDLE_JOB_ID = '';

export interface SitesTable {
  id: string;
  name: string;
  /** Grid region whose intensity series applies, e.g. `DE`, `GB`, `US-CAL-CISO`. */
  region: string;
  created_at: number;
}

/** Piecewise-constant PUE: each row holds from valid_from until the next row of the site. A constant PUE is one row from 0. */
export interface SitePueTable {
  site_id: string;
  valid_from: number;
  pue: number;
}

export interface NodesTable {
  name: string;
  site_id: string | null;
}

export interface AgentsTable {
  id: string;
  node: string;
  /** HMAC key the agent signs with; the collector needs it in clear to verify. */
  key: string;
  created_at: number;
  last_seen_at: number | null;
}

export type IntensityKind = 'actual' | 'forecast';

export interface GridIntensityTable {
  region: string;
  period_start: number;
  period_end: number;
  g_per_kwh: number;
  /** Where the figure came from: `electricitymaps`, `watttime`, `uk-carbon-intensity`, `import:<file>`, `api`. */
  source: string;
  kind: IntensityKind;
  revised_at: number;
}

export type JobState = 'running' | 'ended' | 'unknown';

export interface JobsTable {
  id: string;
  state: JobState;
  /** 1 when the job was first seen in samples, before (or without) a start event. */
  inferred: number;
  name: string | null;
  user: string | null;
  team: string | null;
  project: string | null;
  cluster: string | null;
  scheduler: string | null;
  scheduler_job_id: string | null;
  /** JSON object of string labels. */
  labels: string | null;
  forecast_id: string | null;
  started_at: number | null;
  ended_at: number | null;
  exit_code: number | null;
  /** How the scheduler says the job ended: COMPLETED, FAILED, CANCELLED, TIMEOUT… */
  exit_state: string | null;
  /** JSON array of the nodes the scheduler gave the job. */
  nodes: string | null;
  /** JSON {field: "scheduler" | "agent"}: who set each metadata field and time; a scheduler's word outranks an agent's. */
  field_sources: string | null;
  first_seen_at: number;
  last_seen_at: number;
}

/** When one node's agent saw a job start and end: the job ends, failing a scheduler's word, when all its nodes have. */
export interface JobNodesTable {
  job_id: string;
  node: string;
  agent_id: string;
  started_at: number | null;
  ended_at: number | null;
}

/** The record: energy per (job or idle, node, device, minute). Emissions are derived from it at query time. */
export interface EnergyBucketsTable {
  /** IDLE_JOB_ID for idle. */
  job_id: string;
  node: string;
  device: string;
  device_kind: 'gpu' | 'cpu' | 'dram';
  minute_start: number;
  hour_start: number;
  joules: number;
  samples: number;
  /** Sum of sample durations, for GPU-hours. */
  duration_ms: number;
  peak_power_w: number | null;
}

/** The record by hour: energy_buckets summed over each folded hour (see RollupStateTable), so long ranges read hours. */
export interface EnergyHourlyTable {
  job_id: string;
  node: string;
  device: string;
  device_kind: 'gpu' | 'cpu' | 'dram';
  hour_start: number;
  joules: number;
  samples: number;
  duration_ms: number;
  peak_power_w: number | null;
}

/**
 * The record by node and hour: energy_hourly summed over the jobs and devices of a node, per device
 * kind. Folded and kept in step with energy_hourly (the fold, a late batch's hours, retention), so
 * the cluster-wide reads (by node, by site, totals) read a row per node where energy_hourly holds a
 * row per device and job. Its factors are still applied when read, as everywhere.
 */
export interface EnergyNodeHourlyTable {
  hour_start: number;
  node: string;
  device_kind: 'gpu' | 'cpu' | 'dram';
  joules: number;
  /** The part of joules no job held (job_id = IDLE_JOB_ID). */
  idle_joules: number;
  samples: number;
  duration_ms: number;
}

/**
 * energy_node_hourly summed over the nodes of a site (site_key: the site's id, '' for nodes without
 * one), per device kind: what the cluster-wide reads need, a row per site where the node table has
 * one per node. Folded with the other two; a late batch's energy is added in its commit; a node that
 * moves to another site has both sites' rows summed again from energy_node_hourly in the move's
 * transaction (rekeySites), so the rows always follow the nodes' current sites, as every read does.
 */
export interface EnergySiteHourlyTable {
  hour_start: number;
  site_key: string;
  device_kind: 'gpu' | 'cpu' | 'dram';
  joules: number;
  idle_joules: number;
  samples: number;
  duration_ms: number;
}

/**
 * energy_hourly summed per (hour, site, job group, device kind), a job group being the job's team,
 * project, user and cluster: what the reads by team, project or user need (usage grouped or
 * filtered by them, the org view), a row per group where energy_hourly holds one per device and job,
 * with no job looked up. group_key is the four attributes in one NOT NULL key (GROUP_KEY_SQL,
 * groupKeyOf): each attribute as its length, ':' and itself, '-' where missing; '' for the idle job's
 * energy, a group of its own with no attributes. Kept by the fold, a late batch's commit, node moves
 * (rekeyGroupSites) and changes of a job's attributes (rekeyJobGroups), so its rows always follow the
 * nodes' current sites and the jobs' current attributes, as every read does.
 */
export interface EnergyGroupHourlyTable {
  hour_start: number;
  site_key: string;
  group_key: string;
  team: string | null;
  project: string | null;
  user: string | null;
  cluster: string | null;
  device_kind: 'gpu' | 'cpu' | 'dram';
  joules: number;
  samples: number;
  duration_ms: number;
}

/**
 * energy_group_hourly summed per UTC day with emissions applied: a cache, re-derived for every day
 * marked in daily_dirty (daily-rollups.ts). estimated_hours: bit h set when hour h of the day had
 * energy priced with an estimated factor.
 */
export interface EnergyGroupDailyTable {
  day_start: number;
  site_key: string;
  group_key: string;
  team: string | null;
  project: string | null;
  user: string | null;
  cluster: string | null;
  device_kind: 'gpu' | 'cpu' | 'dram';
  joules: number;
  duration_ms: number;
  facility_joules: number;
  grams: number;
  /** Energy of the hours priced with an estimated factor, J. */
  estimated_joules: number;
  estimated_hours: number;
}

/** energy_node_hourly summed per UTC day with emissions applied, under the node's site when derived. */
export interface EnergyNodeDailyTable {
  day_start: number;
  node: string;
  device_kind: 'gpu' | 'cpu' | 'dram';
  site_key: string;
  joules: number;
  idle_joules: number;
  duration_ms: number;
  facility_joules: number;
  grams: number;
  /** Energy of the hours priced with an estimated factor, J. */
  estimated_joules: number;
  estimated_hours: number;
}

/** energy_hourly summed per (UTC day, job, site) with emissions applied, and the job's team and project when derived; the idle job is ''. */
export interface EnergyJobDailyTable {
  day_start: number;
  job_id: string;
  site_key: string;
  team: string | null;
  project: string | null;
  joules: number;
  /** Sampled time of the job's GPUs, ms. */
  gpu_ms: number;
  facility_joules: number;
  grams: number;
}

/** Each job's daily rows summed (migration 0019). */
export interface EnergyJobTotalTable {
  job_id: string;
  /** The job's one site ('' for none); NULL when its days span more than one. */
  site_key: string | null;
  team: string | null;
  project: string | null;
  first_day: number;
  last_day: number;
  joules: number;
  gpu_ms: number;
  facility_joules: number;
  grams: number;
}

/** The jobs of energy_job_total on one site, by first day, site, team and project (migration 0021). */
export interface EnergyJobCountDailyTable {
  first_day: number;
  site_key: string;
  /** team and project as one key: each its length, ':' and itself, or '-' where missing. */
  team_project_key: string;
  team: string | null;
  project: string | null;
  jobs: number;
}

/** Days whose daily rows are stale or missing; version counts the marks. */
export interface DailyDirtyTable {
  day_start: number;
  version: number;
}

/** One row: how far energy_hourly is folded. Every hour before folded_until is in it; null: none yet. */
export interface RollupStateTable {
  id: number;
  folded_until: number | null;
  folded_at: number | null;
  /** Minutes before this may have been dropped by retention (always at or before folded_until); null: none dropped. */
  minutes_from: number | null;
  /** The pricing rules the daily rollups were derived under (reports/daily); another marks every day. */
  daily_rules: string | null;
}

/** One row per batch ever ingested: the exactly-once key, and what gap detection reads. */
export interface IngestedBatchesTable {
  batch_key: string;
  agent_id: string;
  boot_id: string;
  node: string;
  first_seq: number;
  last_seq: number;
  first_t0: number;
  last_t1: number;
  samples: number;
  joules: number;
  ingested_at: number;
}

/** Missing seq ranges of an agent boot: samples that never arrived (agent dead, spool dropped). */
export interface SeqGapsTable {
  agent_id: string;
  boot_id: string;
  node: string;
  from_seq: number;
  to_seq: number;
  /** The time span the gap covers: end of the batch before, start of the batch after. */
  from_t: number;
  to_t: number;
  detected_at: number;
}

export type TokenRole = 'admin' | 'viewer' | 'agent' | 'scheduler';

export interface ApiTokensTable {
  id: string;
  name: string;
  /** sha256 of the secret, hex. The secret itself is shown once and never stored. */
  token_hash: string;
  role: TokenRole;
  /** For viewers: the one team they see; null = all teams. For agents: the agent id. */
  team: string | null;
  agent_id: string | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface DeadLettersTable {
  id: Generated<number>;
  queue: string;
  job_id: string | null;
  reason: string;
  detail: string;
  payload: string;
  received_at: number;
}

/** Job events already applied, so a redelivered event changes nothing. */
export interface AppliedEventsTable {
  event_id: string;
  applied_at: number;
}

export interface ForecastsTable {
  id: string;
  created_at: number;
  created_by: string | null;
  /** The run spec as given (JSON). */
  spec: string;
  /** The forecast result (JSON), see the forecast contract. */
  result: string;
  energy_kwh_p50: number;
  /** The team of the viewer token that created it; null when an admin or scheduler did. */
  team: string | null;
}

/** Per hardware profile: the fit of libs/estimation's calibrate over the ledger's observations (0010). */
export interface CalibrationFitsTable {
  profile: string;
  /** The ProfileCalibration of libs/estimation (JSON). */
  fit: string;
  observations: number;
  /** In-sample MAPE of IT energy (0.1 = 10 %). */
  mape: number;
  /** Share of observations within the fitted p10–p90. */
  coverage: number;
  fitted_at: number;
}

/** Per ended job launched from a forecast (no missing energy): forecast beside measured, as of the last refit. */
export interface ForecastOutcomesTable {
  job_id: string;
  forecast_id: string;
  profile: string;
  team: string | null;
  ended_at: number;
  measured_kwh: number;
  forecast_p10_kwh: number;
  forecast_p50_kwh: number;
  forecast_p90_kwh: number;
  recorded_at: number;
}

/** A hyperparameter search: its spec and CT forecast. Its trials are jobs labelled `wattprint.search` = id. */
export interface SearchesTable {
  id: string;
  name: string | null;
  /** The team of the viewer token that created it; null when an admin did. */
  team: string | null;
  created_by: string | null;
  created_at: number;
  /** The run spec with its search section (JSON). */
  spec: string;
  /** The forecast result of the spec (JSON). */
  result: string;
  planned_trials: number;
  forecast_p10_kwh: number;
  forecast_p50_kwh: number;
  forecast_p90_kwh: number;
}

export type BudgetUnit = 'kWh' | 'kgCO2eq';
export type BudgetPeriod = 'month' | 'quarter' | 'custom';

/** A team's (or one of its projects') allowance of facility energy or CO2eq per period. */
export interface BudgetsTable {
  id: string;
  name: string;
  team: string;
  /** When set, only the team's jobs of this project count. */
  project: string | null;
  unit: BudgetUnit;
  amount: number;
  /** month and quarter: calendar periods in UTC, recurring; custom: the one [period_from, period_to). */
  period: BudgetPeriod;
  period_from: number | null;
  period_to: number | null;
  /** JSON array of fractions of the amount, ascending, e.g. [0.8, 1]. */
  thresholds: string;
  created_at: number;
  updated_at: number;
}

/** A threshold crossed: one row per (budget, period start, threshold), so an alert fires once. */
export interface BudgetAlertsTable {
  budget_id: string;
  period_start: number;
  threshold: number;
  spent: number;
  raised_at: number;
}

/** Webhook deliveries to make; a row is claimed with a lease, retried with back-off, and kept once delivered. */
export interface WebhookOutboxTable {
  id: string;
  event: string;
  /** The exact JSON body that is signed and sent. */
  body: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  leased_by: string | null;
  delivered_at: number | null;
  last_error: string | null;
}

export interface Database {
  sites: SitesTable;
  site_pue: SitePueTable;
  nodes: NodesTable;
  agents: AgentsTable;
  grid_intensity: GridIntensityTable;
  jobs: JobsTable;
  job_nodes: JobNodesTable;
  energy_buckets: EnergyBucketsTable;
  energy_hourly: EnergyHourlyTable;
  energy_node_hourly: EnergyNodeHourlyTable;
  energy_site_hourly: EnergySiteHourlyTable;
  energy_group_hourly: EnergyGroupHourlyTable;
  energy_group_daily: EnergyGroupDailyTable;
  energy_node_daily: EnergyNodeDailyTable;
  energy_job_daily: EnergyJobDailyTable;
  energy_job_total: EnergyJobTotalTable;
  energy_job_count_daily: EnergyJobCountDailyTable;
  daily_dirty: DailyDirtyTable;
  rollup_state: RollupStateTable;
  ingested_batches: IngestedBatchesTable;
  seq_gaps: SeqGapsTable;
  api_tokens: ApiTokensTable;
  dead_letters: DeadLettersTable;
  applied_events: AppliedEventsTable;
  forecasts: ForecastsTable;
  calibration_fits: CalibrationFitsTable;
  forecast_outcomes: ForecastOutcomesTable;
  searches: SearchesTable;
  budgets: BudgetsTable;
  budget_alerts: BudgetAlertsTable;
  webhook_outbox: WebhookOutboxTable;
}

export type Row<T extends keyof Database> = Selectable<Database[T]>;
export type NewRow<T extends keyof Database> = Insertable<Database[T]>;
export type RowUpdate<T extends keyof Database> = Updateable<Database[T]>;
/** Re-exported so callers can describe computed columns without importing kysely themselves. */
export type { ColumnType };
