import type { Database } from '@wattprint/db';
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { DAY_MS, HOUR_MS } from '@wattprint/carbon';

const floorHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
const ceilHour = (ms: number) => Math.ceil(ms / HOUR_MS) * HOUR_MS;
const floorDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;
const ceilDay = (ms: number) => Math.ceil(ms / DAY_MS) * DAY_MS;

/** What a report may read from: hours folded so far, and how far back minutes are kept. */
export interface LedgerWindow {
  /** Every hour before this is in energy_hourly; null: none folded yet. */
  foldedUntil: number | null;
  /** Minutes before this are past retention; null: all minutes are kept. */
  minutesFrom: number | null;
}

/** Which table answers which part of a range: the plan of one read. */
export interface LedgerPlan {
  /** Whole folded hours read from energy_hourly, [from, to). */
  hours: { from: number; to: number } | null;
  /** Stretches read from energy_buckets by minute_start, [from, to) each. */
  minutes: Array<{ from: number; to: number }>;
}

/**
 * Splits [from, to) between the hourly rollup and the minute buckets so that the answer is the
 * minute-only answer: whole hours that are folded come from energy_hourly (one row an hour instead
 * of sixty), the partial hours at the edges and every hour not folded yet from the minutes. An edge
 * older than minute retention, whose minutes are gone, is read as its whole hour.
 */
export function planRange(from: number, to: number, window: LedgerWindow): LedgerPlan {
  let start = from;
  if (window.minutesFrom !== null && start < window.minutesFrom) start = floorHour(start);
  let end = to;
  if (window.minutesFrom !== null && end < window.minutesFrom) end = ceilHour(end);
  const firstWhole = ceilHour(start);
  const lastWhole = floorHour(end);
  const folded = window.foldedUntil ?? Number.NEGATIVE_INFINITY;
  if (firstWhole >= lastWhole || folded <= firstWhole) return { hours: null, minutes: [{ from: start, to: end }] };
  const hoursTo = Math.min(lastWhole, folded);
  const minutes = [
    { from: start, to: firstWhole },
    { from: hoursTo, to: end },
  ].filter((r) => r.to > r.from);
  return { hours: { from: firstWhole, to: hoursTo }, minutes };
}

/** A read split between the daily rollups and the rest of the ledger: stretches [from, to) each. */
export interface DaySplit {
  /** Whole UTC days, folded and not marked, read from the daily rollups. */
  days: Array<{ from: number; to: number }>;
  /** Everything else, each stretch read as a range of its own (planRange: hours, edges from minutes). */
  rest: Array<{ from: number; to: number }>;
}

/**
 * Splits [from, to) for a read by day: the whole days inside the range's folded hours that are not
 * marked (`marked`: day starts in daily_dirty) come from the daily rollups, a row per group a day;
 * the edges and the marked days are left to planRange, which reads each of them as the minute-only
 * answer would (the boundaries are whole days, so whole hours: no edge is read twice or missed).
 */
export function splitDays(from: number, to: number, window: LedgerWindow, marked: ReadonlySet<number>): DaySplit {
  const plan = planRange(from, to, window);
  const firstDay = plan.hours === null ? 0 : ceilDay(plan.hours.from);
  const lastDay = plan.hours === null ? 0 : floorDay(plan.hours.to);
  if (firstDay >= lastDay) return { days: [], rest: [{ from, to }] };
  const days: DaySplit['days'] = [];
  const rest: DaySplit['rest'] = from < firstDay ? [{ from, to: firstDay }] : [];
  // a stretch that starts where the last one ends joins it
  const append = (runs: Array<{ from: number; to: number }>, stretch: { from: number; to: number }) => {
    const last = runs[runs.length - 1];
    if (last !== undefined && last.to === stretch.from) last.to = stretch.to;
    else runs.push(stretch);
  };
  for (let day = firstDay; day < lastDay; day += DAY_MS) append(marked.has(day) ? rest : days, { from: day, to: day + DAY_MS });
  if (lastDay < to) append(rest, { from: lastDay, to });
  return { days, rest };
}

/** Columns both tables have, at the grain reports need: energy by (job, node, device, hour). */
const COLUMNS = ['job_id', 'node', 'device', 'device_kind', 'hour_start', 'joules', 'samples', 'duration_ms', 'peak_power_w'] as const;

export interface LedgerRowFilter {
  /** Only these jobs. */
  jobIds?: readonly string[];
}

type LedgerSelect = SelectQueryBuilder<
  Database,
  'energy_hourly' | 'energy_buckets',
  Pick<Database['energy_hourly'], (typeof COLUMNS)[number]>
>;

/** The plan of a read over `range`, or over all time when it is undefined. */
function planOf(window: LedgerWindow, range: { from: number; to: number } | undefined): LedgerPlan {
  if (range !== undefined) return planRange(range.from, range.to, window);
  if (window.foldedUntil === null) return { hours: null, minutes: [{ from: Number.NEGATIVE_INFINITY, to: Number.POSITIVE_INFINITY }] };
  return {
    hours: { from: Number.NEGATIVE_INFINITY, to: window.foldedUntil },
    minutes: [{ from: window.foldedUntil, to: Number.POSITIVE_INFINITY }],
  };
}

/**
 * The rows of the ledger over a range (or over all time when `range` is undefined) at the grain of
 * (job, node, device, hour): one UNION ALL of the rollup's hours and the buckets' minutes summed to
 * their hours, each part filtered on its own (hour_start, node) index (and, for minutes, by
 * partition on PostgreSQL). Aggregating it by hour gives exactly what the minute buckets alone would.
 */
export function ledgerRows(
  db: Kysely<Database>,
  window: LedgerWindow,
  range: { from: number; to: number } | undefined,
  filter: LedgerRowFilter = {},
) {
  const plan = planOf(window, range);
  const parts: LedgerSelect[] = [];
  if (plan.hours !== null) {
    let q = db.selectFrom('energy_hourly').select([...COLUMNS]) as unknown as LedgerSelect;
    if (Number.isFinite(plan.hours.from)) q = q.where('hour_start', '>=', plan.hours.from);
    q = q.where('hour_start', '<', plan.hours.to);
    if (filter.jobIds !== undefined) q = q.where('job_id', 'in', filter.jobIds);
    parts.push(q);
  }
  for (const m of plan.minutes) {
    // summed to the hour here, as the rollup's rows are: every reader sums (or takes the max of) an
    // hour's rows anyway, and a partial hour's sixty minute rows a device would otherwise each go
    // through the joins readers make (jobs, nodes, factors): an edge hour of a thousand GPUs is
    // 60,000 minute rows and 1,000 hour rows
    let q = db
      .selectFrom('energy_buckets')
      .select((eb) => [
        'job_id',
        'node',
        'device',
        'device_kind',
        'hour_start',
        eb.fn.sum<number>('joules').as('joules'),
        sql<number>`cast(sum(samples) as integer)`.as('samples'),
        sql<number>`cast(sum(duration_ms) as bigint)`.as('duration_ms'),
        eb.fn.max<number | null>('peak_power_w').as('peak_power_w'),
      ]) as unknown as LedgerSelect;
    // the same rows again by hour_start (every minute lies in its hour): no index leads with
    // minute_start, so without these an edge of one hour read its month's whole partition
    if (Number.isFinite(m.from)) q = q.where('minute_start', '>=', m.from).where('hour_start', '>=', floorHour(m.from));
    if (Number.isFinite(m.to)) q = q.where('minute_start', '<', m.to).where('hour_start', '<', m.to);
    if (filter.jobIds !== undefined) q = q.where('job_id', 'in', filter.jobIds);
    parts.push(q.groupBy(['job_id', 'node', 'device', 'device_kind', 'hour_start']) as unknown as LedgerSelect);
  }
  return parts.slice(1).reduce((all, part) => all.unionAll(part), parts[0]);
}

/** The rollups keyed by a place: the table, its key column, and the key of a minute row's place. */
const PLACES = {
  node: { table: 'energy_node_hourly', key: 'node', minuteKey: sql<string>`m.node` },
  site: { table: 'energy_site_hourly', key: 'site_key', minuteKey: sql<string>`coalesce(mn.site_id, '')` },
} as const;

/** A row of placeLedgerRows: energy by (place, device kind, hour), the key column named after the place. */
type PlaceLedgerSelect = SelectQueryBuilder<
  Database,
  'energy_node_hourly' | 'energy_site_hourly' | 'energy_buckets',
  Pick<Database['energy_node_hourly'], 'node' | 'device_kind' | 'hour_start' | 'joules' | 'idle_joules' | 'duration_ms'> &
    Pick<Database['energy_site_hourly'], 'site_key'>
>;

/**
 * The ledger over a range at the grain of (node or site, device kind, hour), for reads that name no
 * job (usage by node), or neither a job nor a node (usage by site): the same plan as ledgerRows,
 * whole hours from energy_node_hourly or energy_site_hourly — a row per node or site and kind where
 * energy_hourly has one per device and job — and the rest from the minutes, summed to the same grain
 * under the nodes' current sites, as the rollup by site keeps them. idle_joules is the idle job's part.
 */
export function placeLedgerRows(db: Kysely<Database>, window: LedgerWindow, range: { from: number; to: number }, place: 'node' | 'site') {
  const { table, key, minuteKey } = PLACES[place];
  const plan = planOf(window, range);
  const parts: PlaceLedgerSelect[] = [];
  if (plan.hours !== null) {
    parts.push(
      db
        .selectFrom(table)
        .select([key, 'device_kind', 'hour_start', 'joules', 'idle_joules', 'duration_ms'])
        .where('hour_start', '>=', plan.hours.from)
        .where('hour_start', '<', plan.hours.to) as unknown as PlaceLedgerSelect,
    );
  }
  for (const m of plan.minutes) {
    const q = db
      .selectFrom('energy_buckets as m')
      .leftJoin('nodes as mn', 'mn.name', 'm.node')
      .select((eb) => [
        minuteKey.as(key),
        'm.device_kind',
        'm.hour_start',
        eb.fn.sum<number>('m.joules').as('joules'),
        sql<number>`sum(case when m.job_id = '' then m.joules else 0 end)`.as('idle_joules'),
        sql<number>`cast(sum(m.duration_ms) as bigint)`.as('duration_ms'),
      ])
      .where('m.minute_start', '>=', m.from)
      .where('m.hour_start', '>=', floorHour(m.from))
      .where('m.minute_start', '<', m.to)
      .where('m.hour_start', '<', m.to)
      .groupBy([minuteKey, 'm.device_kind', 'm.hour_start']);
    parts.push(q as unknown as PlaceLedgerSelect);
  }
  return parts.slice(1).reduce((all, part) => all.unionAll(part), parts[0]);
}

/** A row of groupLedgerRows: energy by (site, job group, device kind, hour), is_idle 1 for the idle job's. */
type GroupLedgerSelect = SelectQueryBuilder<
  Database,
  'energy_group_hourly' | 'energy_buckets',
  Pick<
    Database['energy_group_hourly'],
    'site_key' | 'team' | 'project' | 'user' | 'cluster' | 'device_kind' | 'hour_start' | 'joules' | 'duration_ms'
  > & { is_idle: number }
>;

/**
 * The ledger over a range at the grain of (site, job group, device kind, hour), for reads that name
 * a job's team, project, user or cluster but no job, device or node: the same plan as ledgerRows,
 * whole hours from energy_group_hourly — no job looked up, a row per group where energy_hourly has
 * one per device and job — and the rest from the minutes, summed to the same grain under the jobs'
 * current attributes and the nodes' current sites, as the rollup keeps them. The idle job's energy
 * is a row of its own (is_idle 1), without attributes.
 */
export function groupLedgerRows(db: Kysely<Database>, window: LedgerWindow, range: { from: number; to: number }) {
  const plan = planOf(window, range);
  const parts: GroupLedgerSelect[] = [];
  if (plan.hours !== null) {
    parts.push(
      db
        .selectFrom('energy_group_hourly')
        .select([
          'site_key',
          sql<number>`case when group_key = '' then 1 else 0 end`.as('is_idle'),
          'team',
          'project',
          'user',
          'cluster',
          'device_kind',
          'hour_start',
          'joules',
          'duration_ms',
        ])
        .where('hour_start', '>=', plan.hours.from)
        .where('hour_start', '<', plan.hours.to) as unknown as GroupLedgerSelect,
    );
  }
  for (const m of plan.minutes) {
    const isIdle = sql<number>`case when m.job_id = '' then 1 else 0 end`;
    const q = db
      .selectFrom('energy_buckets as m')
      .leftJoin('nodes as mn', 'mn.name', 'm.node')
      .leftJoin('jobs as mj', 'mj.id', 'm.job_id')
      .select((eb) => [
        sql<string>`coalesce(mn.site_id, '')`.as('site_key'),
        isIdle.as('is_idle'),
        'mj.team',
        'mj.project',
        'mj.user',
        'mj.cluster',
        'm.device_kind',
        'm.hour_start',
        eb.fn.sum<number>('m.joules').as('joules'),
        sql<number>`cast(sum(m.duration_ms) as bigint)`.as('duration_ms'),
      ])
      .where('m.minute_start', '>=', m.from)
      .where('m.hour_start', '>=', floorHour(m.from))
      .where('m.minute_start', '<', m.to)
      .where('m.hour_start', '<', m.to)
      .groupBy([sql`coalesce(mn.site_id, '')`, isIdle, 'mj.team', 'mj.project', 'mj.user', 'mj.cluster', 'm.device_kind', 'm.hour_start']);
    parts.push(q as unknown as GroupLedgerSelect);
  }
  return parts.slice(1).reduce((all, part) => all.unionAll(part), parts[0]);
}

/**
 * The window as stored (rollup_state): the fold watermark, and how far back retention has dropped
 * minutes. The dashboards' SQL reads the same row, so both answer alike.
 */
export async function readLedgerWindow(db: Kysely<Database>): Promise<LedgerWindow> {
  const row = await db.selectFrom('rollup_state').select(['folded_until', 'minutes_from']).where('id', '=', 1).executeTakeFirst();
  const num = (v: number | null | undefined) => (v === null || v === undefined ? null : Number(v));
  return { foldedUntil: num(row?.folded_until), minutesFrom: num(row?.minutes_from) };
}

/**
 * Where the ledger ends as a read sees it: no energy at or after it. Whole folded hours end at
 * folded_until, and the minutes after them at the end of the newest minute's hour. A read by day
 * clamps the stretches it prices to it, so an open-ended range (a budget's quarter, to its last day)
 * resolves and sends no factors for hours nobody has measured yet; read in the same snapshot as the
 * stretches, nothing lies past it.
 */
export async function readLedgerEnd(db: Kysely<Database>, window: LedgerWindow): Promise<number> {
  const row = await db
    .selectFrom('energy_buckets')
    .select((eb) => eb.fn.max('hour_start').as('newest'))
    .executeTakeFirst();
  const newest = row?.newest === null || row?.newest === undefined ? -Infinity : Number(row.newest) + HOUR_MS;
  return Math.max(window.foldedUntil ?? -Infinity, newest);
}
