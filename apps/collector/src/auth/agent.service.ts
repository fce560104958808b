import { Injectable } from '@nestjs/common';
import { AgentExistsError, AgentNotFoundError, UnknownReferenceError } from './auth.errors';
import { AgentRepository, type AgentRecord } from './agent.repository';
import type { AgentView, RegisterAgentBody } from './agent.schemas';
import { AgentKeyCipher } from '../secrets/agent-key-cipher';
import { SecretRepository } from './secret.repository';
import { ClockRepository } from '../clock/clock.repository';

function toView(a: AgentRecord): AgentView {
  return {
    id: a.id,
    node: a.node,
    siteId: a.site_id,
    createdAt: new Date(a.created_at).toISOString(),
    lastSeenAt: a.last_seen_at === null ? null : new Date(a.last_seen_at).toISOString(),
  };
}

/** Agent registration: the HMAC key is generated here and returned once; lists never carry it. */
@Injectable()
export class AgentService {
  constructor(
    private readonly agents: AgentRepository,
    private readonly secrets: SecretRepository,
    private readonly cipher: AgentKeyCipher,
    private readonly clock: ClockRepository,
  ) {}

  async register(body: RegisterAgentBody): Promise<AgentView & { key: string }> {
    if (body.siteId !== undefined && !(await this.agents.siteExists(body.siteId)))
      throw new UnknownReferenceError('siteId', body.siteId, 'site (create it with POST /api/v1/sites)');
    const key = this.secrets.newAgentKey();
    const created = await this.agents.insert(
      { id: body.id, node: body.node, key: this.cipher.seal(key), createdAt: this.clock.now() },
      body.siteId,
    );
    if (!created) throw new AgentExistsError(body.id);
    return { ...toView((await this.agents.find(body.id))!), key };
  }

  async list(): Promise<AgentView[]> {
    return (await this.agents.list()).map(toView);
  }

  /** A new key replaces the old at once; the agent must be given the new key to keep signing. */
  async rotateKey(id: string): Promise<AgentView & { key: string }> {
    const key = this.secrets.newAgentKey();
    if (!(await this.agents.setKey(id, this.cipher.seal(key)))) throw new AgentNotFoundError(id);
    return { ...toView((await this.agents.find(id))!), key };
  }
}
