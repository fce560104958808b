import { type Kysely, type RawBuilder, type Transaction, sql } from 'kysely';
import { markDaysOfHours } from './daily-rollups';
import { IDLE_JOB_ID } from './schema';

/**
 * The rollup by job group (energy_group_hourly): energy_hourly per (hour, site, team, project, user,
 * cluster, device kind). Its key needs the four attributes NOT NULL, and any of them may be missing,
 * so they are also kept as one key: each attribute as its length in characters, ':' and itself, or
 * '-' where missing. Read left to right it gives the four back, so no two groups share a key whatever
 * the attributes hold (the wire refuses control characters, but a key that relied on that would
 * break the fold's primary key on the first row written some other way). The idle job's energy has
 * the key '' (IDLE_GROUP_KEY), which no group's key is.
 */
export const IDLE_GROUP_KEY = '';

/** The attributes that make a job's group; null where the job has none (or no jobs row yet). */
export interface JobGroup {
  team: string | null;
  project: string | null;
  user: string | null;
  cluster: string | null;
}

export const NO_GROUP: JobGroup = { team: null, project: null, user: null, cluster: null };

/** The group key of a job's energy, as GROUP_KEY_SQL computes it. */
export function groupKeyOf(jobId: string, group: JobGroup): string {
  if (jobId === IDLE_JOB_ID) return IDLE_GROUP_KEY;
  // characters as SQL counts them: code points (Array.from), not UTF-16 units (.length)
  return [group.team, group.project, group.user, group.cluster].map((v) => (v === null ? '-' : `${Array.from(v).length}:${v}`)).join('');
}

/** Whether two groups differ, i.e. a job moving from one to the other moves its energy between rollup rows. */
export function groupsDiffer(a: JobGroup, b: JobGroup): boolean {
  return a.team !== b.team || a.project !== b.project || a.user !== b.user || a.cluster !== b.cluster;
}

/**
 * GROUP_KEY_SQL over energy_hourly `h` and its job `j` (joined only for jobs other than the idle one).
 * length() counts characters on both databases.
 */
const attr = (column: 'team' | 'project' | 'user' | 'cluster') => {
  const v = sql`j.${sql.ref(column)}`;
  return sql`CASE WHEN ${v} IS NULL THEN '-' ELSE CAST(length(${v}) AS TEXT) || ':' || ${v} END`;
};
export const GROUP_KEY_SQL = sql<string>`CASE WHEN h.job_id = ${IDLE_JOB_ID} THEN ${IDLE_GROUP_KEY}
  ELSE ${attr('team')} || ${attr('project')} || ${attr('user')} || ${attr('cluster')} END`;

/** Which rows of energy_group_hourly to sum again; every bound optional and ANDed. */
export interface GroupHoursScope {
  from?: number;
  to?: number;
  /** Only the hours in which this job has energy. */
  hoursOfJob?: string;
  /** Only the hours in which these nodes have energy. */
  hoursOfNodes?: readonly string[];
  siteKeys?: readonly string[];
  groupKeys?: readonly string[];
}

const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`));

function hourConditions(scope: GroupHoursScope, column: RawBuilder<unknown>): RawBuilder<unknown>[] {
  return [
    ...(scope.from === undefined ? [] : [sql`${column} >= ${scope.from}`]),
    ...(scope.to === undefined ? [] : [sql`${column} < ${scope.to}`]),
    ...(scope.hoursOfJob === undefined
      ? []
      : [sql`${column} IN (SELECT hour_start FROM energy_hourly WHERE job_id = ${scope.hoursOfJob})`]),
    ...(scope.hoursOfNodes === undefined
      ? []
      : [sql`${column} IN (SELECT hour_start FROM energy_node_hourly WHERE node IN (${list(scope.hoursOfNodes)}))`]),
  ];
}

/**
 * energy_group_hourly as a sum of energy_hourly under each job's current attributes and each node's
 * current site ('' for none): the rows in `scope`. The fold runs it over the hours it has just
 * written, migration 0015 over everything, node moves and job changes over what they touched.
 */
export function groupHoursFromHourly(scope: GroupHoursScope): RawBuilder<unknown> {
  const site = sql`COALESCE(n.site_id, '')`;
  const where = [
    ...hourConditions(scope, sql`h.hour_start`),
    ...(scope.siteKeys === undefined ? [] : [sql`${site} IN (${list(scope.siteKeys)})`]),
    ...(scope.groupKeys === undefined ? [] : [sql`${GROUP_KEY_SQL} IN (${list(scope.groupKeys)})`]),
  ];
  return sql`INSERT INTO energy_group_hourly
      (hour_start, site_key, group_key, team, project, "user", cluster, device_kind, joules, samples, duration_ms)
    SELECT h.hour_start, ${site}, ${GROUP_KEY_SQL}, j.team, j.project, j."user", j.cluster, h.device_kind,
      SUM(h.joules), SUM(h.samples), SUM(h.duration_ms)
    FROM energy_hourly h
    LEFT JOIN jobs j ON j.id = h.job_id AND h.job_id <> ${IDLE_JOB_ID}
    LEFT JOIN nodes n ON n.name = h.node
    ${where.length === 0 ? sql`` : sql`WHERE ${sql.join(where, sql` AND `)}`}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 8`;
}

/**
 * The rows of `scope` deleted and summed again from energy_hourly: a new sum, not a subtraction, so
 * they stay exact. The caller holds the rollup lock in a mode that keeps folds out (lockRollups) and
 * has already written the change (a job's attributes, a node's site) in the same transaction.
 */
async function regroup<DB>(tx: Kysely<DB> | Transaction<DB>, scope: GroupHoursScope): Promise<void> {
  const db = tx as unknown as Kysely<unknown>;
  const where = [
    ...hourConditions(scope, sql`hour_start`),
    ...(scope.siteKeys === undefined ? [] : [sql`site_key IN (${list(scope.siteKeys)})`]),
    ...(scope.groupKeys === undefined ? [] : [sql`group_key IN (${list(scope.groupKeys)})`]),
  ];
  await sql`DELETE FROM energy_group_hourly WHERE ${sql.join(where, sql` AND `)}`.execute(db);
  await groupHoursFromHourly(scope).execute(db);
}

/**
 * After a job's team, project, user or cluster changed: the rows of its old and new group in the
 * hours it has energy, every site, and the days of those hours marked for the daily rollups. Cost: the hourly rows of those hours (a job of a day on 1,000 GPUs
 * reads 24,000), with their jobs looked up.
 */
export async function rekeyJobGroups<DB>(
  tx: Kysely<DB> | Transaction<DB>,
  jobId: string,
  before: JobGroup,
  after: JobGroup,
): Promise<void> {
  const keys = [...new Set([groupKeyOf(jobId, before), groupKeyOf(jobId, after)])];
  await regroup(tx, { hoursOfJob: jobId, groupKeys: keys });
  await markDaysOfHours(tx, sql`SELECT hour_start FROM energy_hourly WHERE job_id = ${jobId}`);
}

/**
 * After nodes moved between sites: the rows of the sites they left and joined, in the hours the
 * nodes have energy. Cost: every hourly row of those hours, with their jobs looked up.
 */
export async function rekeyGroupSites<DB>(
  tx: Kysely<DB> | Transaction<DB>,
  nodes: readonly string[],
  siteKeys: readonly string[],
): Promise<void> {
  if (nodes.length === 0 || siteKeys.length === 0) return;
  await regroup(tx, { hoursOfNodes: nodes, siteKeys });
}
