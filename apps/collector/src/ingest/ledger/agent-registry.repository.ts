import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { COLLECTOR_CONFIG } from '../../config/config.module';
import type { CollectorConfig } from '../../config/collector-config';
import { DATABASE } from '../../database/database.module';
import { AgentKeyCipher } from '../../secrets/agent-key-cipher';
import type { PreparedBatch } from '../prepared-batch';
import { TtlCache } from '../ttl-cache';
import type { Tx } from './ingest-dialect';
import { ClockRepository } from '../../clock/clock.repository';

/** What ingest needs of an agent: the key its messages are signed with, and the one node it speaks for. */
export interface KnownAgent {
  key: string;
  node: string;
}

// agents.last_seen_at is for people ("when did this node last report"): refreshing it once per
// agent every few seconds spares a row update per commit.
const AGENT_TOUCH_EVERY_MS = 5_000;

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The registered agents as ingest sees them: keys and nodes (cached), and when each last reported. */
@Injectable()
export class AgentRegistryRepository {
  private readonly agents: TtlCache<KnownAgent>;
  private readonly touchedAt = new Map<string, number>();

  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Inject(COLLECTOR_CONFIG) config: CollectorConfig,
    private readonly cipher: AgentKeyCipher,
    private readonly clock: ClockRepository,
  ) {
    this.agents = new TtlCache(config.agentKeyTtlMs, () => this.clock.now());
  }

  /**
   * An agent's HMAC key (in clear) and registered node, cached for a short while; unknown agents are
   * not cached, so a new registration counts at once.
   */
  async find(agentId: string): Promise<KnownAgent | undefined> {
    const cached = this.agents.get(agentId);
    if (cached !== undefined) return cached;
    const row = await this.handle.db.selectFrom('agents').select(['key', 'node']).where('id', '=', agentId).executeTakeFirst();
    if (row === undefined) return undefined;
    const agent = { key: this.cipher.open(row.key), node: row.node };
    this.agents.set(agentId, agent);
    return agent;
  }

  /** Refreshes agents.last_seen_at of the batches' agents not refreshed for a few seconds. */
  async touch(tx: Tx, batches: readonly PreparedBatch[], now: number): Promise<void> {
    const due = [...new Set(batches.map((b) => b.agentId))]
      .filter((id) => now - (this.touchedAt.get(id) ?? 0) >= AGENT_TOUCH_EVERY_MS)
      .sort(byString);
    if (due.length === 0) return;
    await tx.updateTable('agents').set({ last_seen_at: now }).where('id', 'in', due).execute();
  }

  /** After the commit: the agents just refreshed. */
  committed(added: readonly PreparedBatch[], now: number): void {
    for (const b of added) this.touchedAt.set(b.agentId, now);
  }
}
