import { createHash } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { DIALECTS } from '@wattprint/db/testing';
import { Public } from '../src/auth/auth.decorators';
import { type ApiHarness, BOOTSTRAP_TOKEN, bearer, createToken, startApi } from './reports-harness';

/** A public route of this file's own, like the health module's, to check the guards skip it. */
@Controller('probe')
class ProbeController {
  @Get('health')
  @Public()
  health() {
    return { ok: true };
  }
}
@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe.each(DIALECTS)('auth, tokens and agents on %s', (dialect) => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi(dialect, { WATTPRINT_RATE_LIMIT_PER_MINUTE: '1000' });
  });
  afterAll(() => api?.close());

  it('answers 401 with a clear message without a token, and for an unknown token', async () => {
    const none = await api.http().get('/api/v1/jobs');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ statusCode: 401, error: 'unauthorized', message: expect.stringContaining('Authorization: Bearer') });
    const unknown = await api.http().get('/api/v1/jobs').set(bearer('wp_not-a-real-token'));
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe('unknown or revoked token');
  });

  it('accepts the bootstrap token as admin until an admin token exists, then retires it', async () => {
    const who = await api.http().get('/api/v1/auth/whoami').set(bearer(BOOTSTRAP_TOKEN));
    expect(who.status).toBe(200);
    expect(who.body).toEqual({ tokenId: 'bootstrap', role: 'admin', team: null, agentId: null });

    const admin = await createToken(api, { name: 'ops', role: 'admin' });
    expect((await api.http().get('/api/v1/tokens').set(bearer(BOOTSTRAP_TOKEN))).status).toBe(401);
    const who2 = await api.http().get('/api/v1/auth/whoami').set(bearer(admin));
    expect(who2.body.role).toBe('admin');
  });

  it('stores only the sha256 of a secret, shows the secret once, lists without secrets, and revokes', async () => {
    const admin = await createToken(api, { name: 'ops-2', role: 'admin' }, await firstAdmin(api));
    const created = await api
      .http()
      .post('/api/v1/tokens')
      .set(bearer(admin))
      .send({ name: 'team-a dashboards', role: 'viewer', team: 'team-a' });
    expect(created.status).toBe(201);
    const { secret, id } = created.body as { secret: string; id: string };
    expect(secret).toMatch(/^wp_[A-Za-z0-9_-]{43}$/);

    const stored = await api.db.db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(createHash('sha256').update(secret).digest('hex'));
    const everyColumn = JSON.stringify(await api.db.db.selectFrom('api_tokens').selectAll().execute());
    expect(everyColumn).not.toContain(secret);

    const listed = await api.http().get('/api/v1/tokens').set(bearer(admin));
    expect(listed.status).toBe(200);
    const mine = listed.body.tokens.find((t: { id: string }) => t.id === id);
    expect(mine).toEqual({
      id,
      name: 'team-a dashboards',
      role: 'viewer',
      team: 'team-a',
      agentId: null,
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toContain(stored.token_hash);

    expect((await api.http().get('/api/v1/auth/whoami').set(bearer(secret))).body).toEqual({
      tokenId: id,
      role: 'viewer',
      team: 'team-a',
      agentId: null,
    });
    expect((await api.http().delete(`/api/v1/tokens/${id}`).set(bearer(admin))).status).toBe(204);
    expect((await api.http().get('/api/v1/auth/whoami').set(bearer(secret))).status).toBe(401);
    const again = await api.http().delete(`/api/v1/tokens/${id}`).set(bearer(admin));
    expect(again.status).toBe(404);
    expect(again.body.message).toBe(`no token with id "${id}"`);
  });

  it('answers 403 naming the needed role when a viewer or agent calls an admin route', async () => {
    const admin = await firstAdmin(api);
    const viewer = await createToken(api, { name: 'all-teams viewer', role: 'viewer' }, admin);
    const res = await api.http().post('/api/v1/tokens').set(bearer(viewer)).send({ name: 'x', role: 'admin' });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      statusCode: 403,
      error: 'forbidden',
      message: 'this route needs the role admin; your token has the role viewer',
    });
    expect((await api.http().get('/api/v1/agents').set(bearer(viewer))).status).toBe(403);

    await api.http().post('/api/v1/agents').set(bearer(admin)).send({ id: 'agent-role-test', node: 'node-role' }).expect(201);
    const agentToken = await createToken(api, { name: 'agent', role: 'agent', agentId: 'agent-role-test' }, admin);
    const asAgent = await api.http().get('/api/v1/jobs').set(bearer(agentToken));
    expect(asAgent.status).toBe(403);
    expect(asAgent.body.message).toBe('this route needs the role admin or viewer; your token has the role agent');
  });

  it('rejects bad token bodies with 400s that name each field', async () => {
    const admin = await firstAdmin(api);
    const bad = await api.http().post('/api/v1/tokens').set(bearer(admin)).send({ name: '', role: 'viewer', team: 7 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_request');
    const paths = bad.body.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(['name', 'team']);
    const role = await api.http().post('/api/v1/tokens').set(bearer(admin)).send({ name: 'n', role: 'root' });
    expect(role.status).toBe(400);
    expect(role.body.problems[0].path).toBe('role');
    const agent = await api.http().post('/api/v1/tokens').set(bearer(admin)).send({ name: 'n', role: 'agent', agentId: 'nobody' });
    expect(agent.status).toBe(400);
    expect(agent.body.problems).toEqual([{ path: 'agentId', message: expect.stringContaining('"nobody"') }]);
  });

  it('registers an agent with its node and site, returns the key once, never lists it, and rotates it', async () => {
    const admin = await firstAdmin(api);
    await api.db.db.insertInto('sites').values({ id: 'site-fra', name: 'Frankfurt', region: 'DE', created_at: 0 }).execute();

    const res = await api.http().post('/api/v1/agents').set(bearer(admin)).send({ id: 'agent-7', node: 'gpu-node-7', siteId: 'site-fra' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: 'agent-7',
      node: 'gpu-node-7',
      siteId: 'site-fra',
      createdAt: expect.any(String),
      lastSeenAt: null,
      key: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const key = res.body.key as string;
    const row = await api.db.db.selectFrom('agents').selectAll().where('id', '=', 'agent-7').executeTakeFirstOrThrow();
    expect(row.key).toBe(key);
    expect(await api.db.db.selectFrom('nodes').selectAll().where('name', '=', 'gpu-node-7').executeTakeFirst()).toEqual({
      name: 'gpu-node-7',
      site_id: 'site-fra',
    });

    const listed = await api.http().get('/api/v1/agents').set(bearer(admin));
    expect(listed.body.agents).toContainEqual({
      id: 'agent-7',
      node: 'gpu-node-7',
      siteId: 'site-fra',
      createdAt: expect.any(String),
      lastSeenAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const twice = await api.http().post('/api/v1/agents').set(bearer(admin)).send({ id: 'agent-7', node: 'gpu-node-7' });
    expect(twice.status).toBe(409);

    const rotated = await api.http().post('/api/v1/agents/agent-7/rotate-key').set(bearer(admin));
    expect(rotated.status).toBe(200);
    expect(rotated.body.key).toMatch(/^[0-9a-f]{64}$/);
    expect(rotated.body.key).not.toBe(key);
    expect((await api.db.db.selectFrom('agents').select('key').where('id', '=', 'agent-7').executeTakeFirstOrThrow()).key).toBe(
      rotated.body.key,
    );
    expect((await api.http().post('/api/v1/agents/nobody/rotate-key').set(bearer(admin))).status).toBe(404);

    const noSite = await api.http().post('/api/v1/agents').set(bearer(admin)).send({ id: 'agent-8', node: 'n8', siteId: 'atlantis' });
    expect(noSite.status).toBe(400);
    expect(noSite.body.problems).toEqual([{ path: 'siteId', message: expect.stringContaining('"atlantis"') }]);
    const badId = await api.http().post('/api/v1/agents').set(bearer(admin)).send({ id: 'has space', node: '' });
    expect(badId.status).toBe(400);
    expect(badId.body.problems.map((p: { path: string }) => p.path).sort()).toEqual(['id', 'node']);
  });
});

describe('rate limiting', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi('sqlite', { WATTPRINT_RATE_LIMIT_PER_MINUTE: '5' }, [ProbeModule]);
  });
  afterAll(() => api?.close());

  it('answers 429 past the per-minute limit of one token, while another token still gets through', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await api.http().get('/api/v1/auth/whoami').set(bearer(BOOTSTRAP_TOKEN))).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    const limited = await api.http().get('/api/v1/auth/whoami').set(bearer(BOOTSTRAP_TOKEN));
    expect(limited.body.message).toContain('rate limit exceeded');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another client (here: no token, so tracked by IP) has its own budget: it gets the 401 it deserves.
    expect((await api.http().get('/api/v1/auth/whoami')).status).toBe(401);
  });

  it('never limits a @Public() route such as a health probe', async () => {
    for (let i = 0; i < 8; i++) expect((await api.http().get('/probe/health')).status).toBe(200);
    expect((await api.http().get('/api/v1/auth/whoami')).status).toBe(401);
  });
});

/** An admin secret for tests that run after the bootstrap token retired. */
let cachedAdmin: { api: ApiHarness; secret: string } | undefined;
async function firstAdmin(api: ApiHarness): Promise<string> {
  if (cachedAdmin?.api === api) return cachedAdmin.secret;
  const hasAdmin = await api.db.db
    .selectFrom('api_tokens')
    .select('id')
    .where('role', '=', 'admin')
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (hasAdmin) {
    // Mint one directly: the API never shows an existing secret again.
    const secret = `wp_test_admin_${Date.now()}`;
    await api.db.db
      .insertInto('api_tokens')
      .values({
        id: `tok_direct_${Date.now()}`,
        name: 'direct',
        token_hash: createHash('sha256').update(secret).digest('hex'),
        role: 'admin',
        team: null,
        agent_id: null,
        created_at: 0,
        last_used_at: null,
        revoked_at: null,
      })
      .execute();
    cachedAdmin = { api, secret };
    return secret;
  }
  const secret = await createToken(api, { name: 'first admin', role: 'admin' });
  cachedAdmin = { api, secret };
  return secret;
}

describe('OpenAPI document', () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await startApi('sqlite');
  });
  afterAll(() => api?.close());

  it('documents every route of tokens, agents, jobs, usage and forecasts with bearer auth and a response schema', () => {
    const doc = SwaggerModule.createDocument(api.app, new DocumentBuilder().setTitle('Wattprint').addBearerAuth().build());
    const ops = [
      ['post', '/api/v1/tokens'],
      ['get', '/api/v1/tokens'],
      ['delete', '/api/v1/tokens/{id}'],
      ['get', '/api/v1/auth/whoami'],
      ['post', '/api/v1/agents'],
      ['get', '/api/v1/agents'],
      ['post', '/api/v1/agents/{id}/rotate-key'],
      ['get', '/api/v1/jobs'],
      ['get', '/api/v1/jobs/{id}'],
      ['get', '/api/v1/usage'],
      ['post', '/api/v1/forecasts'],
      ['get', '/api/v1/forecasts/{id}'],
    ] as const;
    for (const [method, path] of ops) {
      const op = (
        doc.paths[path] as
          | Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
          | undefined
      )?.[method];
      expect({ method, path, documented: op !== undefined }).toEqual({ method, path, documented: true });
      expect(op!.security).toEqual([{ bearer: [] }]);
      const ok = op!.responses['200'] ?? op!.responses['201'] ?? op!.responses['204'];
      expect(ok).toBeDefined();
      if (method !== 'delete') expect(ok.content?.['application/json']?.schema).toBeDefined();
    }
    const usageParams = JSON.stringify(doc.paths['/api/v1/usage'].get!.parameters);
    expect(usageParams).toContain('groupBy');
  });
});
