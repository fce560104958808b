import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle, NewRow, Row } from '@wattprint/db';
import { DATABASE } from '../database/database.module';

export type TokenRow = Row<'api_tokens'>;

@Injectable()
export class TokenRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  async insert(row: NewRow<'api_tokens'>): Promise<void> {
    await this.handle.db.insertInto('api_tokens').values(row).execute();
  }

  async findActiveByHash(tokenHash: string): Promise<TokenRow | undefined> {
    return this.handle.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  /**
   * True once any admin token has been created, revoked or not. Tokens are never deleted (revoking
   * sets revoked_at), so the answer never goes back to false, across restarts and replicas.
   */
  async adminEverExisted(): Promise<boolean> {
    const row = await this.handle.db.selectFrom('api_tokens').select('id').where('role', '=', 'admin').executeTakeFirst();
    return row !== undefined;
  }

  async list(): Promise<TokenRow[]> {
    return this.handle.db.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  /** Marks a token revoked; false when no active token has that id. */
  async revoke(id: string, at: number): Promise<boolean> {
    const result = await this.handle.db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async touch(id: string, at: number): Promise<void> {
    await this.handle.db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }
}
