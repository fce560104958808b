import { type Kysely, type RawBuilder, type Transaction, sql } from 'kysely';
import type { DialectName } from './dialect';
import { markDaysOfHours } from './daily-rollups';
import { groupHoursFromHourly, rekeyGroupSites } from './group-hours';
import { lockRollups } from './rollup-lock';
import type { Database } from './schema';

/**
 * energy_node_hourly as a sum of energy_hourly: the rows of every (hour, node, device kind) whose
 * hour lies in [from, to). The fold runs it over the hours it has just written, migration 0012 over
 * everything. Idle energy is the energy of the idle job (''). Rows go in in time order, so an hour's
 * rows share pages, as the ones ingest writes do.
 */
export function nodeHoursFromHourly(from: number | null, to: number | null): RawBuilder<unknown> {
  const where = [...(from === null ? [] : [sql`hour_start >= ${from}`]), ...(to === null ? [] : [sql`hour_start < ${to}`])];
  return sql`INSERT INTO energy_node_hourly (hour_start, node, device_kind, joules, idle_joules, samples, duration_ms)
    SELECT hour_start, node, device_kind, SUM(joules), SUM(CASE WHEN job_id = '' THEN joules ELSE 0 END), SUM(samples), SUM(duration_ms)
    FROM energy_hourly ${where.length === 0 ? sql`` : sql`WHERE ${sql.join(where, sql` AND `)}`}
    GROUP BY hour_start, node, device_kind ORDER BY hour_start, node, device_kind`;
}

/**
 * energy_site_hourly as a sum of energy_node_hourly, each node under its current site ('' for none):
 * the rows of the hours in [from, to) and of the given site keys, each bound optional.
 */
export function siteHoursFromNodeHours(only: { from?: number; to?: number; siteKeys?: readonly string[] }): RawBuilder<unknown> {
  const key = sql`COALESCE(n.site_id, '')`;
  const where = [
    ...(only.from === undefined ? [] : [sql`h.hour_start >= ${only.from}`]),
    ...(only.to === undefined ? [] : [sql`h.hour_start < ${only.to}`]),
    ...(only.siteKeys === undefined ? [] : [sql`${key} IN (${sql.join(only.siteKeys.map((k) => sql`${k}`))})`]),
  ];
  return sql`INSERT INTO energy_site_hourly (hour_start, site_key, device_kind, joules, idle_joules, samples, duration_ms)
    SELECT h.hour_start, ${key}, h.device_kind, SUM(h.joules), SUM(h.idle_joules), SUM(h.samples), SUM(h.duration_ms)
    FROM energy_node_hourly h LEFT JOIN nodes n ON n.name = h.node
    ${where.length === 0 ? sql`` : sql`WHERE ${sql.join(where, sql` AND `)}`}
    GROUP BY h.hour_start, ${key}, h.device_kind ORDER BY h.hour_start, ${key}, h.device_kind`;
}

/**
 * After nodes moved between sites: the rows of the sites they left and joined, summed again from
 * energy_node_hourly under the nodes' sites as they are now. A new sum, not a subtraction, so the
 * rows stay exact (taking a large node's energy out of a sum would leave the rounding of the large
 * figure on the small one). The caller holds the rollup lock exclusively (lockRollups), so no fold
 * and no late batch runs meanwhile, and has already changed nodes.site_id in the same transaction.
 * Cost: every node-hour of the two sites, once; moves are rare.
 */
export async function rekeySites<DB>(tx: Kysely<DB> | Transaction<DB>, siteIds: ReadonlyArray<string | null>): Promise<void> {
  const keys = [...new Set(siteIds.map((id) => id ?? ''))];
  if (keys.length === 0) return;
  const db = tx as unknown as Kysely<unknown>;
  await sql`DELETE FROM energy_site_hourly WHERE site_key IN (${sql.join(keys.map((k) => sql`${k}`))})`.execute(db);
  await siteHoursFromNodeHours({ siteKeys: keys }).execute(db);
}

/**
 * One fold: the minutes of [from, to) summed into energy_hourly, then those hours into
 * energy_node_hourly, energy_site_hourly and energy_group_hourly, and their days marked for the daily
 * rollups. `from` and `to` are whole hours none of which is folded yet, so all are plain inserts. The caller holds the rollup lock (lockRollups) and moves
 * the watermark in the same transaction.
 */
export async function foldHours<DB>(tx: Kysely<DB> | Transaction<DB>, from: number, to: number): Promise<void> {
  const db = tx as unknown as Kysely<unknown>;
  await sql`INSERT INTO energy_hourly (job_id, node, device, device_kind, hour_start, joules, samples, duration_ms, peak_power_w)
    SELECT job_id, node, device, device_kind, hour_start, SUM(joules), SUM(samples), SUM(duration_ms), MAX(peak_power_w)
    FROM energy_buckets WHERE minute_start >= ${from} AND minute_start < ${to}
    GROUP BY job_id, node, device, device_kind, hour_start`.execute(db);
  await nodeHoursFromHourly(from, to).execute(db);
  await siteHoursFromNodeHours({ from, to }).execute(db);
  await groupHoursFromHourly({ from, to }).execute(db);
  await markDaysOfHours(db, sql`SELECT hour_start FROM energy_node_hourly WHERE hour_start >= ${from} AND hour_start < ${to}`);
}

/**
 * Puts nodes on a site (null: none), creating the node rows that are missing, and keeps
 * energy_site_hourly and energy_group_hourly in step: under the rollup lock, in the caller's
 * transaction, the rows of every site a node left or joined are summed again (the group rows only in
 * the hours the moved nodes have energy), and those days are marked for the daily rollups. Every
 * write of nodes.site_id goes through here.
 */
export async function placeNodes(
  tx: Transaction<Database>,
  dialect: DialectName,
  nodes: readonly string[],
  siteId: string | null,
): Promise<void> {
  if (nodes.length === 0) return;
  await lockRollups(tx, dialect, 'exclusive');
  const before = await tx
    .selectFrom('nodes')
    .select(['name', 'site_id'])
    .where('name', 'in', [...nodes])
    .execute();
  const known = new Map(before.map((n) => [n.name, n.site_id]));
  await tx
    .insertInto('nodes')
    .values(nodes.map((name) => ({ name, site_id: siteId })))
    .onConflict((oc) => oc.column('name').doUpdateSet({ site_id: siteId }))
    .execute();
  // a node without a row counted as siteless ('') in the rollup, like one without a site
  const moved = nodes.filter((n) => (known.get(n) ?? null) !== siteId);
  if (moved.length === 0) return;
  const hasEnergy = await tx.selectFrom('energy_node_hourly').select('node').where('node', 'in', moved).limit(1).executeTakeFirst();
  if (hasEnergy === undefined) return;
  const sites = [siteId, ...moved.map((n) => known.get(n) ?? null)];
  await rekeySites(tx, sites);
  await rekeyGroupSites(tx, moved, [...new Set(sites.map((id) => id ?? ''))]);
  // the days they have energy are priced under another site now
  await markDaysOfHours(tx, sql`SELECT hour_start FROM energy_node_hourly WHERE node IN (${sql.join(moved.map((n) => sql`${n}`))})`);
}
