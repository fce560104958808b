import { Inject, Injectable } from '@nestjs/common';
import { type DatabaseHandle, placeNodes } from '@wattprint/db';
import { DATABASE } from '../database/database.module';

export interface AgentRecord {
  id: string;
  node: string;
  site_id: string | null;
  created_at: number;
  last_seen_at: number | null;
}

@Injectable()
export class AgentRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  async siteExists(siteId: string): Promise<boolean> {
    return (await this.handle.db.selectFrom('sites').select('id').where('id', '=', siteId).executeTakeFirst()) !== undefined;
  }

  async exists(id: string): Promise<boolean> {
    return (await this.handle.db.selectFrom('agents').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /**
   * Creates the agent and its node in one transaction. The node row is upserted: a node re-imaged
   * with a new agent keeps its history; its site changes only when one is given.
   */
  async insert(agent: { id: string; node: string; key: string; createdAt: number }, siteId: string | undefined): Promise<boolean> {
    return this.handle.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('agents')
        .values({ id: agent.id, node: agent.node, key: agent.key, created_at: agent.createdAt, last_seen_at: null })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (inserted === undefined) return false;
      if (siteId === undefined)
        await trx
          .insertInto('nodes')
          .values({ name: agent.node, site_id: null })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
      else await placeNodes(trx, this.handle.dialect, [agent.node], siteId);
      return true;
    });
  }

  async list(): Promise<AgentRecord[]> {
    return this.handle.db
      .selectFrom('agents')
      .leftJoin('nodes', 'nodes.name', 'agents.node')
      .select(['agents.id', 'agents.node', 'nodes.site_id', 'agents.created_at', 'agents.last_seen_at'])
      .orderBy('agents.id')
      .execute();
  }

  async find(id: string): Promise<AgentRecord | undefined> {
    return this.handle.db
      .selectFrom('agents')
      .leftJoin('nodes', 'nodes.name', 'agents.node')
      .select(['agents.id', 'agents.node', 'nodes.site_id', 'agents.created_at', 'agents.last_seen_at'])
      .where('agents.id', '=', id)
      .executeTakeFirst();
  }

  async setKey(id: string, key: string): Promise<boolean> {
    const result = await this.handle.db.updateTable('agents').set({ key }).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
