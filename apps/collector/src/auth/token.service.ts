import { Inject, Injectable } from '@nestjs/common';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import type { Principal } from './auth.decorators';
import { TokenNotFoundError, UnknownReferenceError } from './auth.errors';
import { AgentRepository } from './agent.repository';
import { SecretRepository } from './secret.repository';
import type { CreateTokenBody, TokenView } from './token.schemas';
import { TokenRepository, type TokenRow } from './token.repository';
import { ClockRepository } from '../clock/clock.repository';
import { MINUTE_MS } from '@wattprint/carbon';

/** The bootstrap token is not a row: it has this id in logs and in the principal. */
export const BOOTSTRAP_TOKEN_ID = 'bootstrap';

/** last_used_at is a hint for operators, not an audit log: write it at most once a minute per token. */
const TOUCH_EVERY_MS = MINUTE_MS;

function toView(row: TokenRow): TokenView {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    team: row.team,
    agentId: row.agent_id,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

@Injectable()
export class TokenService {
  constructor(
    private readonly tokens: TokenRepository,
    private readonly agents: AgentRepository,
    private readonly secrets: SecretRepository,
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly clock: ClockRepository,
  ) {}

  /** Creates a token; the secret is in the answer and nowhere else (the table holds its sha256). */
  async create(body: CreateTokenBody): Promise<TokenView & { secret: string }> {
    const agentId = body.role === 'agent' ? body.agentId : null;
    if (agentId !== null && !(await this.agents.exists(agentId)))
      throw new UnknownReferenceError('agentId', agentId, 'registered agent (POST /api/v1/agents)');
    const secret = this.secrets.newTokenSecret();
    const row: TokenRow = {
      id: this.secrets.newId('tok'),
      name: body.name,
      token_hash: this.secrets.hash(secret),
      role: body.role,
      team: body.role === 'viewer' ? (body.team ?? null) : null,
      agent_id: agentId,
      created_at: this.clock.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.tokens.insert(row);
    return { ...toView(row), secret };
  }

  /** Once true, stays true: remembered so the bootstrap check costs no query after retirement. */
  private retired = false;

  private async bootstrapRetired(): Promise<boolean> {
    if (!this.retired) this.retired = await this.tokens.adminEverExisted();
    return this.retired;
  }

  async list(): Promise<TokenView[]> {
    return (await this.tokens.list()).map(toView);
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.tokens.revoke(id, this.clock.now()))) throw new TokenNotFoundError(id);
  }

  /**
   * Who a bearer secret belongs to, or null. The bootstrap token counts as admin only until the
   * first admin token is created; from then on it is retired for good, even when every admin token
   * is later revoked (a leaked bootstrap secret must not come back to life).
   */
  async authenticate(secret: string): Promise<Principal | null> {
    const row = await this.tokens.findActiveByHash(this.secrets.hash(secret));
    if (row) {
      const now = this.clock.now();
      if (row.last_used_at === null || now - row.last_used_at > TOUCH_EVERY_MS) await this.tokens.touch(row.id, now);
      return { tokenId: row.id, role: row.role, team: row.role === 'viewer' ? row.team : null, agentId: row.agent_id };
    }
    const bootstrap = this.config.bootstrapToken;
    if (bootstrap !== undefined && this.secrets.sameSecret(secret, bootstrap) && !(await this.bootstrapRetired())) {
      return { tokenId: BOOTSTRAP_TOKEN_ID, role: 'admin', team: null, agentId: null };
    }
    return null;
  }
}
