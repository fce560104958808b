/** A token id that does not exist (or is already revoked, for revoke). */
export class TokenNotFoundError extends Error {
  constructor(readonly tokenId: string) {
    super(`no token with id "${tokenId}"`);
    this.name = 'TokenNotFoundError';
  }
}

export class AgentNotFoundError extends Error {
  constructor(readonly agentId: string) {
    super(`no agent with id "${agentId}"`);
    this.name = 'AgentNotFoundError';
  }
}

export class AgentExistsError extends Error {
  constructor(readonly agentId: string) {
    super(`an agent with id "${agentId}" is already registered; rotate its key instead`);
    this.name = 'AgentExistsError';
  }
}

/** A request field names something that does not exist (a site, an agent): a 400 naming the field. */
export class UnknownReferenceError extends Error {
  constructor(
    readonly field: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(`${field}: no such ${expected} "${value}"`);
    this.name = 'UnknownReferenceError';
  }
}
