import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { DATABASE } from '../database/database.module';
import { AgentKeyCipher } from './agent-key-cipher';

/**
 * The agents' keys as stored. At start, with a secret configured, seals every key still stored in
 * clear (keys from before the secret was set); either way it opens one sealed key, so a collector
 * missing the secret, or given the wrong one, stops at start with the reason instead of calling every
 * batch forged.
 */
@Injectable()
export class AgentKeyRepository implements OnApplicationBootstrap {
  private readonly logger = new Logger('AgentKeys');

  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    private readonly cipher: AgentKeyCipher,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const rows = await this.handle.db.selectFrom('agents').select(['id', 'key']).execute();
    const sealed = rows.find((r) => AgentKeyCipher.isSealed(r.key));
    if (sealed !== undefined) this.cipher.open(sealed.key);
    if (!this.cipher.sealing) return;
    const clear = rows.filter((r) => !AgentKeyCipher.isSealed(r.key));
    for (const row of clear) {
      // only a key still in clear is replaced: a replica sealing at the same time changes nothing twice
      await this.handle.db
        .updateTable('agents')
        .set({ key: this.cipher.seal(row.key) })
        .where('id', '=', row.id)
        .where('key', '=', row.key)
        .execute();
    }
    if (clear.length > 0) this.logger.log(`sealed ${clear.length} agent key(s) stored in clear with WATTPRINT_SECRET_KEY`);
  }
}
