import 'reflect-metadata';
import { type CanActivate, type ExecutionContext, ForbiddenException, type INestApplication, Injectable, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { connect, migrateToLatest } from '@wattprint/db';
import { DIALECTS, type TestDatabase, createTestDatabase } from '@wattprint/db/testing';
import request from 'supertest';
import { ROLES_KEY, type Role } from '../src/auth/auth.decorators';
import { CarbonModule, CarbonService } from '../src/carbon/carbon.module';
import { parseCollectorConfig } from '../src/config/collector-config';
import { ClockModule } from '../src/clock/clock.module';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { HOUR_MS } from '@wattprint/carbon';

/**
 * Stands in for the real auth guard (another module's) inside this file only: the role comes from
 * an `x-test-role` header, and @Roles is enforced the same way.
 */
@Injectable()
class HeaderRoleGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string>; principal?: unknown }>();
    const role = (req.headers['x-test-role'] ?? 'admin') as Role;
    req.principal = { tokenId: 'test', role, team: null, agentId: null };
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (roles && !roles.includes(role)) throw new ForbiddenException({ error: 'forbidden', message: `role ${role} may not` });
    return true;
  }
}

const T0 = Date.UTC(2026, 10, 20, 10);
const H = HOUR_MS;

describe.each(DIALECTS)('carbon REST API on %s', (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    testDb = await createTestDatabase(dialect);
    const migrate = connect({ url: testDb.url });
    await migrateToLatest(migrate.db, migrate.dialect);
    await migrate.close();

    @Module({
      imports: [
        ConfigModule.forRoot(parseCollectorConfig({ DATABASE_URL: testDb.url })),
        ClockModule,
        DatabaseModule.forRoot(testDb.url),
        CarbonModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: HeaderRoleGuard }],
    })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await app.close();
    await testDb.drop();
  });

  describe('sites', () => {
    it('creates a site with a constant PUE and reads it back', async () => {
      const res = await http().post('/api/v1/sites').send({ id: 'fra', name: 'Frankfurt', region: 'DE', pue: 1.25 }).expect(201);
      expect(res.body).toMatchObject({
        id: 'fra',
        name: 'Frankfurt',
        region: 'DE',
        pue: 1.25,
        pueSchedule: [{ validFrom: '1970-01-01T00:00:00.000Z', pue: 1.25 }],
        nodes: [],
      });
      expect((await http().get('/api/v1/sites/fra').expect(200)).body.id).toBe('fra');
      expect((await http().get('/api/v1/sites').expect(200)).body.sites.map((s: { id: string }) => s.id)).toContain('fra');
    });

    it('refuses a second site with the same id', async () => {
      const res = await http().post('/api/v1/sites').send({ id: 'fra', name: 'Again', region: 'DE', pue: 1.1 }).expect(409);
      expect(res.body.message).toContain('fra');
    });

    it('answers 400 naming every bad field', async () => {
      const res = await http().post('/api/v1/sites').send({ id: 'x y', name: '', region: 'D E', pue: 0.8, extra: 1 }).expect(400);
      const paths = res.body.problems.map((p: { path: string }) => p.path);
      expect(paths).toEqual(expect.arrayContaining(['id', 'name', 'region', 'pue', 'extra']));
      const both = await http()
        .post('/api/v1/sites')
        .send({ id: 'b', name: 'B', region: 'DE', pue: 1.2, pueSchedule: [{ validFrom: '2026-01-01T00:00:00Z', pue: 1.3 }] })
        .expect(400);
      expect(JSON.stringify(both.body.problems)).toContain('exactly one of pue');
    });

    it('only lets admins change sites', async () => {
      await http().post('/api/v1/sites').set('x-test-role', 'viewer').send({ id: 'v', name: 'V', region: 'DE', pue: 1.1 }).expect(403);
    });

    it('updates, sets a PUE schedule, and deletes', async () => {
      await http()
        .post('/api/v1/sites')
        .send({
          id: 'lon',
          name: 'London',
          region: 'GB',
          pueSchedule: [
            { validFrom: '2026-06-01T00:00:00Z', pue: 1.3 },
            { validFrom: '2026-01-01T00:00:00Z', pue: 1.4 },
          ],
        })
        .expect(201);
      const patched = await http().patch('/api/v1/sites/lon').send({ name: 'London East' }).expect(200);
      expect(patched.body).toMatchObject({ name: 'London East', region: 'GB', pue: 1.3 });
      const got = await http().get('/api/v1/sites/lon/pue').expect(200);
      expect(got.body.pueSchedule).toEqual([
        { validFrom: '2026-01-01T00:00:00.000Z', pue: 1.4 },
        { validFrom: '2026-06-01T00:00:00.000Z', pue: 1.3 },
      ]);
      const put = await http()
        .put('/api/v1/sites/lon/pue')
        .send({
          pueSchedule: [
            { validFrom: '2026-11-20T11:00:00Z', pue: 1.5 },
            { validFrom: '1970-01-01T00:00:00Z', pue: 1.1 },
          ],
        })
        .expect(200);
      expect(put.body.pueSchedule).toEqual([
        { validFrom: '1970-01-01T00:00:00.000Z', pue: 1.1 },
        { validFrom: '2026-11-20T11:00:00.000Z', pue: 1.5 },
      ]);
      const dup = await http()
        .put('/api/v1/sites/lon/pue')
        .send({
          pueSchedule: [
            { validFrom: '2026-01-01T00:00:00Z', pue: 1.1 },
            { validFrom: '2026-01-01T00:00:00Z', pue: 1.2 },
          ],
        })
        .expect(400);
      expect(dup.body.problems[0].path).toBe('pueSchedule.1.validFrom');
      const badTime = await http()
        .put('/api/v1/sites/lon/pue')
        .send({ pueSchedule: [{ validFrom: 'yesterday', pue: 1.1 }] })
        .expect(400);
      expect(badTime.body.problems[0]).toMatchObject({ path: 'pueSchedule.0.validFrom' });
      expect(badTime.body.problems[0].message).toContain('"yesterday"');

      await http().post('/api/v1/sites').send({ id: 'tmp', name: 'Tmp', region: 'PL', pue: 2 }).expect(201);
      await http().delete('/api/v1/sites/tmp').expect(204);
      await http().get('/api/v1/sites/tmp').expect(404);
      await http().put('/api/v1/sites/nope/pue').send({ pue: 1.2 }).expect(404);
    });

    it('assigns nodes to sites', async () => {
      const res = await http().put('/api/v1/nodes/gpu-01/site').send({ siteId: 'lon' }).expect(200);
      expect(res.body).toEqual({ name: 'gpu-01', siteId: 'lon' });
      await http().put('/api/v1/nodes/gpu-02/site').send({ siteId: 'fra' }).expect(200);
      await http().put('/api/v1/nodes/gpu-03/site').send({ siteId: 'nowhere' }).expect(404);
      const nodes = await http().get('/api/v1/nodes').expect(200);
      expect(nodes.body.nodes).toEqual(
        expect.arrayContaining([
          { name: 'gpu-01', siteId: 'lon' },
          { name: 'gpu-02', siteId: 'fra' },
        ]),
      );
      expect((await http().get('/api/v1/sites/lon').expect(200)).body.nodes).toEqual(['gpu-01']);
    });
  });

  describe('intensity import and query', () => {
    it('imports CSV, reporting each bad row by line, column, value and expectation, and keeps the valid rows', async () => {
      const csv = [
        'region,start,end,g_per_kwh',
        'GB,2026-11-20T10:00:00Z,2026-11-20T10:30:00Z,146',
        'GB,2026-11-20T10:30:00Z,2026-11-20T11:00:00Z,151',
        'GB,2026-11-20T11:00:00Z,2026-11-20T10:00:00Z,150',
        'GB,not-a-time,2026-11-20T12:00:00Z,abc',
        '',
        'GB,2026-11-20T11:00:00Z,2026-11-20T12:00:00Z,140',
        'GB,2026-11-20T12:00:00Z',
      ].join('\r\n');
      const res = await http().post('/api/v1/intensity/import?source=test.csv').set('content-type', 'text/csv').send(csv).expect(200);
      expect(res.body).toMatchObject({ rows: 6, imported: 3, rejected: 3, problemsOmitted: 0 });
      expect(res.body.problems).toEqual([
        { line: 4, column: 'end', value: '2026-11-20T10:00:00Z', expected: 'a time after start (2026-11-20T11:00:00Z)' },
        { line: 5, column: 'start', value: 'not-a-time', expected: 'an ISO 8601 date-time with a zone, e.g. 2026-11-20T10:00:00Z' },
        { line: 5, column: 'g_per_kwh', value: 'abc', expected: 'a number of gCO2eq/kWh from 0 to 5000' },
        { line: 8, column: '(row)', value: 'GB,2026-11-20T12:00:00Z', expected: '4 comma-separated fields' },
      ]);
      const series = await http()
        .get('/api/v1/intensity')
        .query({ region: 'GB', from: '2026-11-20T10:00:00Z', to: '2026-11-20T12:00:00Z' })
        .expect(200);
      expect(series.body.periods.map((p: { start: string; gPerKwh: number; source: string }) => [p.start, p.gPerKwh, p.source])).toEqual([
        ['2026-11-20T10:00:00.000Z', 146, 'import:test.csv'],
        ['2026-11-20T10:30:00.000Z', 151, 'import:test.csv'],
        ['2026-11-20T11:00:00.000Z', 140, 'import:test.csv'],
      ]);
    });

    it('numbers lines of a chunk as lines of the original file', async () => {
      const res = await http()
        .post('/api/v1/intensity/import?line=1001')
        .set('content-type', 'text/csv')
        .send('region,start,end,g_per_kwh\nGB,2026-11-20T13:00:00Z,2026-11-20T14:00:00Z,-5\n')
        .expect(200);
      expect(res.body.problems).toEqual([
        { line: 1001, column: 'g_per_kwh', value: '-5', expected: 'a number of gCO2eq/kWh from 0 to 5000' },
      ]);
    });

    it('refuses a CSV without its header, naming what is missing', async () => {
      const res = await http()
        .post('/api/v1/intensity/import')
        .set('content-type', 'text/csv')
        .send('GB,2026-11-20T10:00:00Z,2026-11-20T11:00:00Z,100\n')
        .expect(400);
      expect(res.body.problems[0]).toMatchObject({ line: 1, column: 'column 1', value: 'GB' });
      const missing = await http()
        .post('/api/v1/intensity/import')
        .set('content-type', 'text/csv')
        .send('region,start,g_per_kwh\n')
        .expect(400);
      expect(missing.body.problems[0].expected).toContain('missing end');
    });

    it('imports JSON with per-element problems and a forecast kind', async () => {
      const body = [
        { region: 'DE', start: '2026-11-20T10:00:00Z', end: '2026-11-20T11:00:00Z', gPerKwh: 400 },
        { region: 'DE', start: '2026-11-20T11:00:00+01:00', end: '2026-11-20T12:00:00+01:00', gPerKwh: 390, kind: 'forecast' },
        { region: 'DE', start: '2026-11-20T12:00:00Z', end: '2026-11-20T13:00:00Z', gPerKwh: 'many', kind: 'guess' },
        'nonsense',
        { region: 'DE', start: '2026-11-20T13:00:00Z', end: '2026-11-20T14:00:00Z', gPerKwh: 380, colour: 'red' },
      ];
      const res = await http().post('/api/v1/intensity/import?index=10').send(body).expect(200);
      expect(res.body).toMatchObject({ rows: 5, imported: 2, rejected: 3 });
      expect(res.body.problems).toEqual([
        { index: 12, column: 'gPerKwh', value: 'many', expected: 'a number of gCO2eq/kWh from 0 to 5000' },
        { index: 12, column: 'kind', value: 'guess', expected: 'actual or forecast' },
        { index: 13, column: '(element)', value: '"nonsense"', expected: 'an object {region,start,end,gPerKwh,kind?}' },
        { index: 14, column: 'colour', value: 'red', expected: 'no such field (known: region, start, end, gPerKwh, kind)' },
      ]);
      const forecast = await http()
        .get('/api/v1/intensity')
        .query({ region: 'DE', from: '2026-11-20T10:00:00Z', to: '2026-11-20T11:00:00Z', kind: 'forecast' })
        .expect(200);
      expect(forecast.body.periods).toEqual([
        expect.objectContaining({ start: '2026-11-20T10:00:00.000Z', gPerKwh: 390, kind: 'forecast', source: 'api' }),
      ]);
      await http().post('/api/v1/intensity/import').send({ region: 'DE' }).expect(400);
    });

    it('replaces a value when it is imported again (a revision)', async () => {
      const csv = 'region,start,end,g_per_kwh\nDE,2026-11-20T10:00:00Z,2026-11-20T11:00:00Z,420\n';
      await http().post('/api/v1/intensity/import').set('content-type', 'text/csv').send(csv).expect(200);
      const series = await http()
        .get('/api/v1/intensity')
        .query({ region: 'DE', from: '2026-11-20T10:00:00Z', to: '2026-11-20T11:00:00Z', kind: 'actual' })
        .expect(200);
      expect(series.body.periods).toHaveLength(1);
      expect(series.body.periods[0].gPerKwh).toBe(420);
    });

    it('answers 415 for other content types and 400 for a bad query', async () => {
      await http().post('/api/v1/intensity/import').set('content-type', 'text/plain').send('x').expect(415);
      const res = await http()
        .get('/api/v1/intensity')
        .query({ region: 'DE', from: '2026-11-20T10:00:00Z', to: '2026-11-19T10:00:00Z' })
        .expect(400);
      expect(res.body.problems[0].path).toBe('to');
      await http().post('/api/v1/intensity/import').set('x-test-role', 'viewer').send([]).expect(403);
      await http()
        .get('/api/v1/intensity')
        .set('x-test-role', 'viewer')
        .query({ region: 'DE', from: '2026-11-20T10:00:00Z', to: '2026-11-20T11:00:00Z' })
        .expect(200);
    });

    it('feeds what the API stored into the emission factors', async () => {
      const carbon = app.get(CarbonService);
      // gpu-02 is at fra (DE, PUE 1.25); DE 10:00–11:00 was revised to 420 above.
      const f = (await carbon.hourFactors([{ node: 'gpu-02', hourStart: T0 }])).get(`gpu-02@${T0}`)!;
      expect(f).toMatchObject({ siteId: 'fra', region: 'DE', pue: 1.25, gPerKwh: 420, estimated: false, source: 'api' });
      // gpu-01 is at lon (GB): 146/151 half-hours, PUE 1.1 until 11:00 then 1.5.
      const g = await carbon.hourFactors([
        { node: 'gpu-01', hourStart: T0 },
        { node: 'gpu-01', hourStart: T0 + H },
      ]);
      // 1 kWh in each hour: 1.1 × 148.5 + 1.5 × 140 = 163.35 + 210 = 373.35 g
      expect(carbon.co2eqGrams(3.6e6, g.get(`gpu-01@${T0}`)!) + carbon.co2eqGrams(3.6e6, g.get(`gpu-01@${T0 + H}`)!)).toBeCloseTo(
        373.35,
        9,
      );
    });
  });

  it('shows the factors of a node hour by hour, estimated hours flagged', async () => {
    const res = await http()
      .get('/api/v1/emission-factors')
      .set('x-test-role', 'viewer')
      .query({ node: 'gpu-02', from: '2026-11-20T10:30:00Z', to: '2026-11-20T12:00:00Z' })
      .expect(200);
    expect(res.body).toEqual({
      node: 'gpu-02',
      hours: [
        { hourStart: '2026-11-20T10:00:00.000Z', siteId: 'fra', region: 'DE', pue: 1.25, gPerKwh: 420, estimated: false, source: 'api' },
        {
          hourStart: '2026-11-20T11:00:00.000Z',
          siteId: 'fra',
          region: 'DE',
          pue: 1.25,
          gPerKwh: 381,
          estimated: true,
          source: 'yearly-average:DE',
        },
      ],
    });
    const bad = await http()
      .get('/api/v1/emission-factors')
      .query({ node: 'gpu-02', from: '2026-01-01T00:00:00Z', to: '2026-03-01T00:00:00Z' })
      .expect(400);
    expect(bad.body.problems).toEqual([
      { path: 'to', message: 'expected a range of at most 31 days after from; got "2026-03-01T00:00:00.000Z"' },
    ]);
  });

  it('documents every route with its schemas in OpenAPI', () => {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    for (const path of [
      '/api/v1/sites',
      '/api/v1/sites/{id}',
      '/api/v1/sites/{id}/pue',
      '/api/v1/nodes',
      '/api/v1/nodes/{node}/site',
      '/api/v1/intensity',
      '/api/v1/intensity/import',
      '/api/v1/emission-factors',
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    const post = doc.paths['/api/v1/sites'].post!;
    expect(JSON.stringify(post.requestBody)).toContain('region');
    expect(post.tags).toEqual(['sites']);
    expect(JSON.stringify(doc.paths['/api/v1/intensity/import'].post!.responses)).toContain('problemsOmitted');
  });
});
