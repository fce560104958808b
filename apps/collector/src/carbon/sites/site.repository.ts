import { Inject, Injectable } from '@nestjs/common';
import { type Database, type DatabaseHandle, markDaysOfHours, placeNodes } from '@wattprint/db';
import { type Transaction, sql } from 'kysely';
import { DATABASE } from '../../database/database.module';
import type { PueStep } from '@wattprint/carbon';

export interface SiteRecord {
  id: string;
  name: string;
  region: string;
  createdAt: number;
}

export interface NodeRecord {
  name: string;
  siteId: string | null;
}

/** Marks every day the site has energy for the daily rollups: its PUE or region prices them differently now. */
function markSiteDays(tx: Transaction<Database>, siteId: string): Promise<void> {
  return markDaysOfHours(tx, sql`SELECT hour_start FROM energy_site_hourly WHERE site_key = ${siteId}`);
}

/** Sites, their PUE schedules and which node sits where: every database access of the sites domain. */
@Injectable()
export class SiteRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  private get db() {
    return this.handle.db;
  }

  /** Creates the site with its schedule in one transaction; false when the id is taken. */
  async create(site: SiteRecord, pue: PueStep[]): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      const inserted = await tx
        .insertInto('sites')
        .values({ id: site.id, name: site.name, region: site.region, created_at: site.createdAt })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      if (pue.length > 0) {
        await tx
          .insertInto('site_pue')
          .values(pue.map((p) => ({ site_id: site.id, valid_from: p.validFrom, pue: p.pue })))
          .execute();
      }
      return true;
    });
  }

  async find(id: string): Promise<SiteRecord | undefined> {
    const row = await this.db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, name: row.name, region: row.region, createdAt: Number(row.created_at) };
  }

  async list(): Promise<SiteRecord[]> {
    const rows = await this.db.selectFrom('sites').selectAll().orderBy('id').execute();
    return rows.map((row) => ({ id: row.id, name: row.name, region: row.region, createdAt: Number(row.created_at) }));
  }

  /** Returns false when the site does not exist. */
  async update(id: string, change: { name?: string; region?: string }): Promise<boolean> {
    if (change.name === undefined && change.region === undefined) return (await this.find(id)) !== undefined;
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.updateTable('sites').set(change).where('id', '=', id).executeTakeFirst();
      if (change.region !== undefined) await markSiteDays(tx, id);
      return Number(result.numUpdatedRows) > 0;
    });
  }

  /** Deletes the site; its schedule goes with it (cascade) and its nodes become unassigned (set null). */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      // Done explicitly as well as by the foreign keys, so the outcome does not hang on SQLite's
      // per-connection foreign_keys pragma.
      await tx.deleteFrom('site_pue').where('site_id', '=', id).execute();
      const nodes = await tx.selectFrom('nodes').select('name').where('site_id', '=', id).execute();
      await placeNodes(
        tx,
        this.handle.dialect,
        nodes.map((n) => n.name),
        null,
      );
      const result = await tx.deleteFrom('sites').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  /** Replaces the whole schedule in one transaction, so readers never see half of it; marks the site's days. */
  async replacePueSchedule(siteId: string, steps: PueStep[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('site_pue').where('site_id', '=', siteId).execute();
      if (steps.length > 0) {
        await tx
          .insertInto('site_pue')
          .values(steps.map((p) => ({ site_id: siteId, valid_from: p.validFrom, pue: p.pue })))
          .execute();
      }
      await markSiteDays(tx, siteId);
    });
  }

  /** Schedules of the given sites, each sorted by validFrom. */
  async pueSchedules(siteIds: readonly string[]): Promise<Map<string, PueStep[]>> {
    const out = new Map<string, PueStep[]>(siteIds.map((id) => [id, []]));
    if (siteIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('site_pue')
      .select(['site_id', 'valid_from', 'pue'])
      .where('site_id', 'in', [...siteIds])
      .orderBy('site_id')
      .orderBy('valid_from')
      .execute();
    for (const r of rows) out.get(r.site_id)!.push({ validFrom: Number(r.valid_from), pue: Number(r.pue) });
    return out;
  }

  /** Sites by id, with regions, for the given ids. */
  async regions(siteIds: readonly string[]): Promise<Map<string, string>> {
    if (siteIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('sites')
      .select(['id', 'region'])
      .where('id', 'in', [...siteIds])
      .execute();
    return new Map(rows.map((r) => [r.id, r.region]));
  }

  /** Puts the node on the site (null: none); the rollup by site follows it (placeNodes). */
  async assignNode(node: string, siteId: string | null): Promise<void> {
    await this.db.transaction().execute((tx) => placeNodes(tx, this.handle.dialect, [node], siteId));
  }

  async listNodes(siteId?: string): Promise<NodeRecord[]> {
    let q = this.db.selectFrom('nodes').select(['name', 'site_id']).orderBy('name');
    if (siteId !== undefined) q = q.where('site_id', '=', siteId);
    const rows = await q.execute();
    return rows.map((r) => ({ name: r.name, siteId: r.site_id }));
  }

  /** node → site id of the given nodes; nodes never assigned are absent. */
  async nodeSites(nodes: readonly string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    // Chunked: PostgreSQL and SQLite both cap the number of bound parameters in one statement.
    for (let i = 0; i < nodes.length; i += 1000) {
      const rows = await this.db
        .selectFrom('nodes')
        .select(['name', 'site_id'])
        .where('name', 'in', nodes.slice(i, i + 1000))
        .execute();
      for (const r of rows) out.set(r.name, r.site_id);
    }
    return out;
  }
}
