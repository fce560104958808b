import type { Kysely } from 'kysely';

/**
 * The restart-gap lookup asks, once per agent boot, for the agent's last batch below a seq across
 * its earlier boots (seq carries on across boots): index it rather than scan the agent's history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('ingested_batches_agent_seq_idx').on('ingested_batches').columns(['agent_id', 'last_seq']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('ingested_batches_agent_seq_idx').execute();
}
