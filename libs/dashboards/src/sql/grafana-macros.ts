import { DAY_MS, HOUR_MS } from '@wattprint/carbon';

/**
 * The Grafana variables the generated SQL uses, in one place, so the test helper that expands them
 * knows exactly which ones exist. Grafana's global `$__from` / `$__to` are epoch milliseconds, the
 * unit of energy_buckets.minute_start/hour_start, so the time filter compares bigint to bigint and
 * stays on the (hour_start, node) index; `$__timeFilter` would need timestamps.
 */
export const FROM_MS = '$__from';
export const TO_MS = '$__to';
/** Grafana's interval for the panel's width and time range, in ms. */
export const INTERVAL_MS = '$__interval_ms';

/**
 * The grain of a panel's ledger: per job and device; per node (panels that name no job); per site
 * (panels that name neither a job nor a node); per site and job group (panels that name a job's
 * team, project, user or cluster, but no job, device or node).
 */
export type LedgerGrain = 'job' | 'node' | 'site' | 'group';

/**
 * When a panel reads whole days from the daily rollups (energy_node_daily, energy_group_daily,
 * energy_job_daily: their emissions applied when the collector derived them): 'always' for panels
 * that total the range (stats, tables); 'whole-day-steps' for time series, whose steps must then hold
 * whole days (stepMs: past six hours, or past the panel's longest hourly range). Unset: never.
 */
export type DailyUse = 'always' | 'whole-day-steps';

/** How a grain reads its minutes: summed by `columns` (grouped by `groupBy`), then, for `place`, put in place. */
interface GrainSpec {
  hourTable: string;
  hourColumns: string;
  minuteColumns: string;
  groupBy: string;
  /**
   * Minutes summed by node (and job) first, then joined to their node's site (and job) and summed
   * again by `columns`: the join comes after the sum, since joined beside the minutes the planner
   * put it first and scanned every minute partition (a day of the cluster panels: > 10 s at 1,000
   * GPUs with 35 days of minutes, 17 s under EXPLAIN ANALYZE).
   */
  place?: { columns: string; joins: string; groupBy: string };
  /** The daily rollup of the grain and its columns: the hour columns', hour_start being day_start, then the priced ones. */
  days?: { table: string; columns: string };
}

const PRICED_DAY_COLUMNS = 'h.facility_joules, h.grams, h.estimated_joules';

const NODE_MINUTES =
  "m.node, m.device_kind, m.hour_start, SUM(m.joules) AS joules, SUM(CASE WHEN m.job_id = '' THEN m.joules ELSE 0 END) AS idle_joules, " +
  'SUM(m.duration_ms)::bigint AS duration_ms';

const GRAINS: Record<LedgerGrain, GrainSpec> = {
  job: {
    hourTable: 'energy_hourly',
    hourColumns: 'h.job_id, h.node, h.device, h.device_kind, h.hour_start, h.joules, h.duration_ms',
    minuteColumns:
      'm.job_id, m.node, m.device, m.device_kind, m.hour_start, SUM(m.joules) AS joules, SUM(m.duration_ms)::bigint AS duration_ms',
    groupBy: '1, 2, 3, 4, 5',
    // by (day, job, site), not by node and device: what top jobs and the job count read (top-jobs.sql.ts)
    days: {
      table: 'energy_job_daily',
      columns: 'h.job_id, h.site_key, h.team, h.project, h.day_start AS hour_start, h.joules, h.gpu_ms, h.facility_joules, h.grams',
    },
  },
  node: {
    hourTable: 'energy_node_hourly',
    hourColumns: 'h.node, h.device_kind, h.hour_start, h.joules, h.idle_joules, h.duration_ms',
    minuteColumns: NODE_MINUTES,
    groupBy: '1, 2, 3',
    days: {
      table: 'energy_node_daily',
      columns: `h.node, h.device_kind, h.day_start AS hour_start, h.joules, h.idle_joules, h.duration_ms, ${PRICED_DAY_COLUMNS}`,
    },
  },
  site: {
    hourTable: 'energy_site_hourly',
    hourColumns: 'h.site_key, h.device_kind, h.hour_start, h.joules, h.idle_joules, h.duration_ms',
    minuteColumns: NODE_MINUTES,
    groupBy: '1, 2, 3',
    place: {
      columns:
        "COALESCE(mn.site_id, '') AS site_key, x.device_kind, x.hour_start, SUM(x.joules) AS joules, SUM(x.idle_joules) AS idle_joules, " +
        'SUM(x.duration_ms)::bigint AS duration_ms',
      joins: 'LEFT JOIN nodes mn ON mn.name = x.node',
      groupBy: '1, 2, 3',
    },
  },
  group: {
    hourTable: 'energy_group_hourly',
    hourColumns:
      'h.site_key, CASE WHEN h.group_key = \'\' THEN 1 ELSE 0 END AS is_idle, h.team, h.project, h."user", h.cluster, h.device_kind, ' +
      'h.hour_start, h.joules, h.duration_ms',
    minuteColumns: 'm.job_id, m.node, m.device_kind, m.hour_start, SUM(m.joules) AS joules, SUM(m.duration_ms)::bigint AS duration_ms',
    groupBy: '1, 2, 3, 4',
    place: {
      columns:
        "COALESCE(mn.site_id, '') AS site_key, CASE WHEN x.job_id = '' THEN 1 ELSE 0 END AS is_idle, mj.team, mj.project, mj.\"user\", " +
        'mj.cluster, x.device_kind, x.hour_start, SUM(x.joules) AS joules, SUM(x.duration_ms)::bigint AS duration_ms',
      joins: 'LEFT JOIN nodes mn ON mn.name = x.node\n  LEFT JOIN jobs mj ON mj.id = x.job_id',
      groupBy: '1, 2, 3, 4, 5, 6, 7, 8',
    },
    days: {
      table: 'energy_group_daily',
      columns:
        'h.site_key, CASE WHEN h.group_key = \'\' THEN 1 ELSE 0 END AS is_idle, h.team, h.project, h."user", h.cluster, h.device_kind, ' +
        `h.day_start AS hour_start, h.joules, h.duration_ms, ${PRICED_DAY_COLUMNS}`,
    },
  },
};

/**
 * The condition (SQL) under which a panel of `grain` reads daily rows, or null when it never does;
 * `step` is the width of its time series' steps (stepMs), for 'whole-day-steps'.
 */
export function dailyCondition(grain: LedgerGrain, days: DailyUse | undefined, step: string = STEP_MS): string | null {
  if (days === undefined || GRAINS[grain].days === undefined) return null;
  return days === 'always' ? 'TRUE' : `MOD(${step}, ${DAY_MS}) = 0`;
}

/**
 * The ledger over the dashboard range, as the collector's reports read it
 * (apps/collector/src/reports/ledger-source.ts, planRange): whole folded hours from energy_hourly,
 * the partial hours at the edges and every hour not folded yet from energy_buckets, and an edge
 * older than minute retention read as its whole hour (rollup_state says how far each goes). Two
 * CTEs, `ledger_plan` and `ledger`, the second with the columns of its grain (GRAINS): by job,
 * job_id, node, device, device_kind, hour_start, joules, duration_ms; by node, node, device_kind,
 * hour_start, joules, idle_joules, duration_ms, whole hours then read from energy_node_hourly; by
 * site, the same with site_key (the node's site, '' for none) for node, from energy_site_hourly; by
 * group, site_key, is_idle (1 for the idle job's energy), the job's team, project, user and cluster,
 * device_kind, hour_start, joules, duration_ms, from energy_group_hourly.
 * Minutes are also bounded by hour_start, which selects the same rows: it is what the
 * (hour_start, node) index can find them by.
 *
 * The plan's bounds come from rollup_state, so the planner cannot see them and guesses; for the minutes
 * of a range's partial first hour it guessed a share of a month's partition and scanned all of it
 * (6 s of an 11 s panel at 1,000 GPUs). When whole hours are read those minutes all lie in the hour
 * holding $__from, a constant it can see: that branch says so, and `whole` picks one of the two.
 * Minutes are summed to their hours in each branch, as the reports do: an edge hour of 1,000 GPUs is
 * 60,000 minute rows but 1,000 hour rows for the joins and factors that follow.
 *
 * With `days` (node and group grains; dailyCondition), as the reports read by day (splitDays): the
 * whole UTC days inside the whole hours that no mark in daily_dirty names come from the grain's
 * daily rollup, in a third CTE, `ledger_days`, already priced (facility_joules, grams,
 * estimated_joules); `ledger` keeps the hours before and after them and those of the marked days.
 * One statement, so the marks and the rows are read in one snapshot.
 */
export function ledgerCtes(grain: LedgerGrain = 'job', days?: DailyUse, step: string = STEP_MS): string {
  const H = HOUR_MS;
  const D = DAY_MS;
  const whole = `fw < lw AND COALESCE(folded, fw) > fw`;
  const g = GRAINS[grain];
  const daily = dailyCondition(grain, days, step);
  const minutes = (on: string, where: string) => {
    const summed = `SELECT ${g.minuteColumns}
  FROM ledger_plan p JOIN energy_buckets m ON ${on}
  ${where}GROUP BY ${g.groupBy}`;
    // OFFSET 0 keeps a panel's filters out of the sum (the org view's "not idle" would otherwise go
    // down into it, and with it the planner again chose to scan every minute partition)
    return g.place === undefined
      ? summed
      : `SELECT ${g.place.columns}\n  FROM (${summed}\n  OFFSET 0) x\n  ${g.place.joins}\n  GROUP BY ${g.place.groupBy}`;
  };
  return `ledger_ends AS (
  SELECT
    CASE WHEN ${FROM_MS} < COALESCE(minutes_from, 0) THEN ${FROM_MS} - MOD(${FROM_MS}, ${H}) ELSE ${FROM_MS} END::bigint AS s,
    CASE WHEN ${TO_MS} < COALESCE(minutes_from, 0) THEN ${TO_MS} + MOD(${H} - MOD(${TO_MS}, ${H}), ${H}) ELSE ${TO_MS} END::bigint AS e,
    folded_until AS folded
  FROM rollup_state WHERE id = 1
),
${daily === null ? 'ledger_plan' : 'ledger_hours'} AS (
  SELECT s, e, (${whole}) AS whole,
    CASE WHEN ${whole} THEN fw ELSE 0 END AS hours_from,
    CASE WHEN ${whole} THEN LEAST(lw, folded) ELSE 0 END AS hours_to,
    CASE WHEN ${whole} THEN fw ELSE e END AS head_to,
    CASE WHEN ${whole} THEN LEAST(lw, folded) ELSE e END AS tail_from
  FROM (SELECT s, e, folded, s + MOD(${H} - MOD(s, ${H}), ${H}) AS fw, e - MOD(e, ${H}) AS lw FROM ledger_ends) x
),${
    daily === null
      ? ''
      : `
ledger_plan AS (
  -- the whole days of the whole hours [days_from, days_to), none when there is not one or the condition fails;
  -- the hours read are [hours_from, split_from), [split_to, hours_to) and the marked days'
  SELECT y.*, CASE WHEN y.df < y.dt THEN y.df ELSE 0 END AS days_from, CASE WHEN y.df < y.dt THEN y.dt ELSE 0 END AS days_to,
    CASE WHEN y.df < y.dt THEN y.df ELSE y.hours_to END AS split_from, CASE WHEN y.df < y.dt THEN y.dt ELSE y.hours_to END AS split_to
  FROM (SELECT lh.*, CASE WHEN ${daily} THEN lh.hours_from + MOD(${D} - MOD(lh.hours_from, ${D}), ${D}) ELSE 0 END AS df,
      CASE WHEN ${daily} THEN lh.hours_to - MOD(lh.hours_to, ${D}) ELSE 0 END AS dt
    FROM ledger_hours lh) y
),
ledger_days AS (
  SELECT ${g.days!.columns}
  FROM ledger_plan p JOIN ${g.days!.table} h ON h.day_start >= p.days_from AND h.day_start < p.days_to
  WHERE NOT EXISTS (SELECT 1 FROM daily_dirty dd WHERE dd.day_start = h.day_start)
),`
  }
ledger AS (
  ${
    daily === null
      ? `SELECT ${g.hourColumns}
  FROM ledger_plan p JOIN ${g.hourTable} h ON h.hour_start >= p.hours_from AND h.hour_start < p.hours_to`
      : `SELECT ${g.hourColumns}
  FROM ledger_plan p JOIN ${g.hourTable} h ON h.hour_start >= p.hours_from AND h.hour_start < p.split_from
  UNION ALL
  SELECT ${g.hourColumns}
  FROM ledger_plan p JOIN ${g.hourTable} h ON h.hour_start >= p.split_to AND h.hour_start < p.hours_to
  UNION ALL
  SELECT ${g.hourColumns}
  FROM ledger_plan p JOIN daily_dirty dd ON dd.day_start >= p.days_from AND dd.day_start < p.days_to
  -- each marked day's hours by the index, in a LATERAL that OFFSET 0 keeps from being flattened:
  -- joined plainly, the planner scanned the whole hourly table for them (a year of group rows,
  -- 1.8 s of a 2.2 s panel with no day marked)
  CROSS JOIN LATERAL (SELECT * FROM ${g.hourTable} hd WHERE hd.hour_start >= dd.day_start AND hd.hour_start < dd.day_start + ${D} OFFSET 0) h`
  }
  UNION ALL
  ${minutes(
    `m.minute_start >= p.s AND m.minute_start < p.head_to
    AND m.hour_start = ${FROM_MS} - MOD(${FROM_MS}, ${H})`,
    'WHERE p.whole ',
  )}
  UNION ALL
  ${minutes(
    `m.minute_start >= p.s AND m.minute_start < p.head_to
    AND m.hour_start >= p.s - MOD(p.s, ${H}) AND m.hour_start < p.head_to`,
    'WHERE NOT p.whole ',
  )}
  UNION ALL
  ${minutes(
    `m.minute_start >= p.tail_from AND m.minute_start < p.e
    AND m.hour_start >= p.tail_from - MOD(p.tail_from, ${H}) AND m.hour_start < p.e`,
    '',
  )}
)`;
}

/**
 * Width of a time-series step: Grafana's interval rounded up to whole hours, at least one hour,
 * because PUE and intensity are resolved per hour and a finer step would split an hour's factor;
 * past six hours, up to whole days, so a long range's steps hold whole days and its panels can
 * read them from the daily rollups (a year on a 1,000 px panel: 9 hours, so a day). With
 * `hourlyUpToDays`, also whole days whenever the range is longer than that: a panel whose hours are
 * many rows (the org view's, a row per job group, site and hour) then reads at most that many days
 * of them, whatever the range — stepped by the interval, a month was 287,600 group-hours to price
 * (2–3 s at 1,000 GPUs) and four months 8–11 s (docs/scale.md).
 */
export function stepMs(hourlyUpToDays?: number): string {
  const days = `CEIL(${INTERVAL_MS} / ${DAY_MS}.0)`;
  // a long range with a short interval: one day at least
  const [longRange, wholeDays] =
    hourlyUpToDays === undefined ? ['', days] : [` OR ${TO_MS} - ${FROM_MS} > ${hourlyUpToDays * DAY_MS}`, `GREATEST(${days}, 1)`];
  return `(CASE WHEN ${INTERVAL_MS} > ${6 * HOUR_MS}${longRange} THEN ${wholeDays} * ${DAY_MS} ELSE CEIL(GREATEST(${INTERVAL_MS}, ${HOUR_MS}) / ${HOUR_MS}.0) * ${HOUR_MS} END)::bigint`;
}

/** The step of panels whose hours are few rows (by site, by node): Grafana's interval alone decides it. */
export const STEP_MS = stepMs();

/** The `time` column of a time series: the start of the step (`step`, an SQL width: stepMs) holding `hourStartExpr`. */
export function stepTime(hourStartExpr: string, step: string = STEP_MS): string {
  return `to_timestamp((${hourStartExpr} - MOD(${hourStartExpr}, ${step})) / 1000.0)`;
}

/**
 * A multi-value template variable over a column that may be NULL, offered as `nullLabel`: the rows of
 * `COALESCE(column, nullLabel) IN ($variable)`, Grafana's quoted, comma-separated values, but written
 * on the column itself. PostgreSQL has statistics for a column, none for a COALESCE of it: it took
 * each such filter to keep 8 % of the rows (0.5 % a value), so with every team, project and site
 * chosen it expected one row where 15,000 came and joined the hour factors by nested loops, 3.5 s
 * for 16 GPUs over a year (docs/scale.md). On the column it expects what the statistics say.
 */
export function variableFilter(column: string, nullLabel: string, variable: string): string {
  return `(${column} IN ($${variable}) OR (${column} IS NULL AND '${nullLabel}' IN ($${variable})))`;
}
