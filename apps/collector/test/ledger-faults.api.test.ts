/**
 * The ledger-faults issue's findings on the API side, each as its own named test, on both databases.
 */
import { createHash, randomBytes } from 'node:crypto';
import { connect, grantReader, READER_TABLES } from '@wattprint/db';
import { DIALECTS, TEST_PG_URL, createTestDatabase } from '@wattprint/db/testing';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import pg from 'pg';
import { type ApiHarness, BOOTSTRAP_TOKEN, bearer, createToken, startApi } from './reports-harness';

jest.setTimeout(60_000);

/** Raw JSON text nested `depth` deep: no JSON.stringify writes that deep, so a hostile client writes it by hand. */
const deepJson = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe.each(DIALECTS)('ledger faults, API side, on %s', (dialect) => {
  let api: ApiHarness & { testDb: Awaited<ReturnType<typeof createTestDatabase>> };
  let admin: string;

  beforeAll(async () => {
    api = await startApi(dialect, { WATTPRINT_RATE_LIMIT_PER_MINUTE: '100000', WATTPRINT_IMPORT_LIMIT_BYTES: '2048' });
    admin = await createToken(api, { name: 'admin', role: 'admin' });
  });
  afterAll(() => api?.close());

  it('finding 7: the bootstrap token stays retired once an admin token has existed, across revocation and restart', async () => {
    const first = await api.http().get('/api/v1/auth/whoami').set(bearer(BOOTSTRAP_TOKEN));
    expect(first.status).toBe(401);
    const tokens = (await api.http().get('/api/v1/tokens').set(bearer(admin)).expect(200)).body.tokens;
    const adminId = tokens.find((t: { role: string }) => t.role === 'admin').id;
    const spare = await createToken(api, { name: 'spare', role: 'viewer' }, admin);
    await api.http().delete(`/api/v1/tokens/${adminId}`).set(bearer(admin)).expect(204);
    // no active admin token is left, and still the bootstrap token is refused
    expect((await api.http().get('/api/v1/auth/whoami').set(bearer(BOOTSTRAP_TOKEN))).status).toBe(401);
    const restarted = await startApi(dialect, {}, [], api.testDb);
    try {
      expect((await restarted.http().get('/api/v1/auth/whoami').set(bearer(BOOTSTRAP_TOKEN))).status).toBe(401);
      expect((await restarted.http().get('/api/v1/auth/whoami').set(bearer(spare))).status).toBe(200);
    } finally {
      await restarted.close();
    }
    // a new admin for the tests below, made directly in the database as an operator would have to
    admin = await freshAdmin(api);
  });

  it('finding 8: a body nested 40,000 deep is a 400 on every route that takes a body', async () => {
    // every route of the app as OpenAPI lists it, so a route added later is tried too
    const doc = SwaggerModule.createDocument(api.app, new DocumentBuilder().build()) as unknown as { paths: Record<string, object> };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['post', 'put', 'patch'].includes(m))
        .map((m) => [m, path.replace(/\{[^}]+\}/g, 'x')] as const),
    );
    expect(routes.length).toBeGreaterThanOrEqual(8);
    for (const [method, path] of routes) {
      const client = api.http();
      const res = await client[method as 'post'](path).set(bearer(admin)).set('Content-Type', 'application/json').send(deepJson(40_000));
      expect([method, path, res.status]).toEqual([method, path, 400]);
      expect(res.body.message).toBe('(root): the body nests deeper than 64 levels');
    }
  });

  it('finding 8: from at or after to is a 400 naming the field on /jobs, /usage, /intensity and /emission-factors', async () => {
    const from = '2026-11-28T10:00:00Z';
    const to = '2026-11-28T09:00:00Z';
    for (const url of [
      `/api/v1/jobs?from=${from}&to=${to}`,
      `/api/v1/usage?groupBy=team&from=${from}&to=${to}`,
      `/api/v1/intensity?region=DE&from=${from}&to=${to}`,
      `/api/v1/emission-factors?node=n1&from=${from}&to=${to}`,
      `/api/v1/jobs?from=b&to=a`,
      `/api/v1/usage?groupBy=team&from=b&to=a`,
      `/api/v1/intensity?region=DE&from=b&to=a`,
      `/api/v1/emission-factors?node=n1&from=b&to=a`,
    ]) {
      const res = await api.http().get(url).set(bearer(admin));
      expect([url, res.status]).toEqual([url, 400]);
      expect(res.body.problems.map((p: { path: string }) => p.path)).toEqual(expect.arrayContaining([url.includes('=b&') ? 'from' : 'to']));
    }
  });

  it('finding 8: a NUL is a 400 naming the field in site names, token names, teams, job filters and job ids', async () => {
    const cases: Array<[string, () => Promise<{ status: number; body: { problems?: Array<{ path: string }> } }>, string]> = [
      [
        'site name',
        () => api.http().post('/api/v1/sites').set(bearer(admin)).send({ id: 'nul', name: 'a\u0000b', region: 'DE', pue: 1.2 }),
        'name',
      ],
      ['token name', () => api.http().post('/api/v1/tokens').set(bearer(admin)).send({ name: 'a\u0000b', role: 'admin' }), 'name'],
      ['team', () => api.http().post('/api/v1/tokens').set(bearer(admin)).send({ name: 'v', role: 'viewer', team: 'a\u0000b' }), 'team'],
      ['job filter', () => api.http().get('/api/v1/jobs?team=a%00b').set(bearer(admin)), 'team'],
      [
        'usage filter',
        () => api.http().get('/api/v1/usage?groupBy=team&from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z&user=%00').set(bearer(admin)),
        'user',
      ],
      ['job id', () => api.http().get('/api/v1/jobs/x%00').set(bearer(admin)), '(root)'],
      ['node', () => api.http().put('/api/v1/nodes/n%00/site').set(bearer(admin)).send({ siteId: null }), '(root)'],
    ];
    for (const [what, call, path] of cases) {
      const res = await call();
      expect([what, res.status]).toEqual([what, 400]);
      expect([what, res.body.problems?.map((p) => p.path)]).toEqual([what, [path]]);
    }
  });

  it('finding 8: a JSON body past WATTPRINT_BODY_LIMIT_BYTES is a 413, and a CSV import past WATTPRINT_IMPORT_LIMIT_BYTES too', async () => {
    const big = await api
      .http()
      .post('/api/v1/sites')
      .set(bearer(admin))
      .send({ id: 'big', name: 'x'.repeat(1_200_000), region: 'DE', pue: 1.2 });
    expect(big.status).toBe(413);
    expect(big.body.message).toMatch(/^the body is \d+ bytes; at most 1048576 \(WATTPRINT_BODY_LIMIT_BYTES\)$/);
    const notJson = await api.http().post('/api/v1/sites').set(bearer(admin)).set('Content-Type', 'application/json').send('{"id":');
    expect(notJson.status).toBe(400);
    const rows = Array.from(
      { length: 100 },
      (_, i) => `DE,2026-11-01T${String(i % 24).padStart(2, '0')}:00:00Z,2026-11-01T${String(i % 24).padStart(2, '0')}:30:00Z,${300 + i}`,
    );
    const csv = ['region,start,end,g_per_kwh', ...rows].join('\n');
    const refused = await api.http().post('/api/v1/intensity/import').set(bearer(admin)).set('Content-Type', 'text/csv').send(csv);
    expect(refused.status).toBe(413);
    expect(refused.body.message).toContain('at most 2048 (WATTPRINT_IMPORT_LIMIT_BYTES)');
    const small = ['region,start,end,g_per_kwh', ...rows.slice(0, 3)].join('\n');
    const accepted = await api.http().post('/api/v1/intensity/import').set(bearer(admin)).set('Content-Type', 'text/csv').send(small);
    expect(accepted.status).toBe(200);
    expect(accepted.body.imported).toBe(3);
  });

  it('finding 10: a node name accepted at registration works at every later use; one with a tab is refused at registration', async () => {
    await api.http().post('/api/v1/sites').set(bearer(admin)).send({ id: 'fra', name: 'Frankfurt', region: 'DE', pue: 1.4 }).expect(201);
    const node = 'rack 1/gpu ü7';
    const registered = await api.http().post('/api/v1/agents').set(bearer(admin)).send({ id: 'odd-node', node });
    expect(registered.status).toBe(201);
    const assigned = await api
      .http()
      .put(`/api/v1/nodes/${encodeURIComponent(node)}/site`)
      .set(bearer(admin))
      .send({ siteId: 'fra' });
    expect(assigned.status).toBe(200);
    expect(assigned.body).toEqual({ name: node, siteId: 'fra' });
    const factors = await api
      .http()
      .get(`/api/v1/emission-factors?node=${encodeURIComponent(node)}&from=2026-11-01T00:00:00Z&to=2026-11-01T02:00:00Z`)
      .set(bearer(admin));
    expect(factors.status).toBe(200);
    expect(factors.body.node).toBe(node);
    const tab = await api.http().post('/api/v1/agents').set(bearer(admin)).send({ id: 'tab-node', node: 'rack 1/gpu ü\t7' });
    expect(tab.status).toBe(400);
    expect(tab.body.problems).toEqual([
      { path: 'node', message: expect.stringMatching(/^expected no control characters.*got "rack 1\/gpu ü\\t7"$/) },
    ]);
  });
});

/** Creates an admin token row directly, as an operator recovering access would. */
async function freshAdmin(api: ApiHarness): Promise<string> {
  const secret = `wp_${randomBytes(24).toString('base64url')}`;
  await api.db.db
    .insertInto('api_tokens')
    .values({
      id: `tok_${randomBytes(8).toString('hex')}`,
      name: 'recovered',
      token_hash: createHash('sha256').update(secret).digest('hex'),
      role: 'admin',
      team: null,
      agent_id: null,
      created_at: Date.now(),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return secret;
}

describe('finding 11: unknown tokens spend their address’s allowance, shared by every replica', () => {
  it('answers 429 to random wrong tokens past the limit, counted across two replicas on one Redis', async () => {
    const prefix = `{wp-rl-${randomBytes(4).toString('hex')}}`;
    const a = await startApi('sqlite', { WATTPRINT_RATE_LIMIT_PER_MINUTE: '20', WATTPRINT_QUEUE_PREFIX: prefix });
    const b = await startApi('sqlite', { WATTPRINT_RATE_LIMIT_PER_MINUTE: '20', WATTPRINT_QUEUE_PREFIX: prefix }, [], a.testDb);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const replica = i % 2 === 0 ? a : b;
        statuses.push(
          (
            await replica
              .http()
              .get('/api/v1/auth/whoami')
              .set(bearer(`wp_${randomBytes(16).toString('hex')}`))
          ).status,
        );
      }
      expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('finding 12: Grafana’s reader role reads the ledger and no secret', () => {
  it('grants SELECT on READER_TABLES only: agents.key and api_tokens are refused, agents_public is not', async () => {
    const testDb = await createTestDatabase('postgres');
    const api = await startApi('postgres', {}, [], testDb);
    const role = `wp_reader_${randomBytes(4).toString('hex')}`;
    const adminClient = new pg.Client({ connectionString: TEST_PG_URL });
    await adminClient.connect();
    try {
      await adminClient.query(`CREATE ROLE ${role} LOGIN`);
      // what the old deployment script granted: everything, including keys
      const schema = new URL(testDb.url).searchParams.get('options')!.replace('-c search_path=', '');
      await adminClient.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}; GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      await api.http().post('/api/v1/agents').set(bearer(BOOTSTRAP_TOKEN)).send({ id: 'a1', node: 'n1' }).expect(201);
      const owner = connect({ url: testDb.url });
      await grantReader(owner.db, 'postgres', role);
      await owner.close();

      const reader = new pg.Client({ connectionString: testDb.url.replace('postgres@', `${role}@`) });
      await reader.connect();
      try {
        for (const table of READER_TABLES) await reader.query(`SELECT * FROM ${table} LIMIT 1`);
        expect((await reader.query('SELECT id, node FROM agents_public')).rows).toEqual([{ id: 'a1', node: 'n1' }]);
        for (const secret of ['SELECT key FROM agents', 'SELECT token_hash FROM api_tokens', 'SELECT payload FROM dead_letters']) {
          await expect(reader.query(secret)).rejects.toMatchObject({ code: '42501' });
        }
      } finally {
        await reader.end();
      }
    } finally {
      await api.close();
      await testDb.drop();
      await adminClient.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
      await adminClient.end();
    }
  });
});
