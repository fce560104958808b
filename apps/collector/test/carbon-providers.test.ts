import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type DatabaseHandle, connect, migrateToLatest } from '@wattprint/db';
import { DIALECTS, type TestDatabase, createTestDatabase } from '@wattprint/db/testing';
import { type CarbonConfig, parseCarbonConfig } from '../src/carbon/carbon-config';
import { CarbonModule } from '../src/carbon/carbon.module';
import { CarbonService } from '../src/carbon/carbon.service';
import { ClockRepository } from '../src/clock/clock.repository';
import { IntensityRepository } from '../src/carbon/intensity/intensity.repository';
import { ElectricityMapsClient } from '../src/carbon/providers/electricity-maps.client';
import { IntensityPoller } from '../src/carbon/providers/intensity-poller.service';
import { ProviderError } from '../src/carbon/providers/provider.errors';
import { UkCarbonIntensityClient } from '../src/carbon/providers/uk-carbon-intensity.client';
import { WattTimeClient } from '../src/carbon/providers/watttime.client';
import { SiteRepository } from '../src/carbon/sites/site.repository';
import { parseCollectorConfig } from '../src/config/collector-config';
import { ClockModule } from '../src/clock/clock.module';
import { ConfigModule } from '../src/config/config.module';
import { ConfigError } from '@wattprint/runtime';
import { DatabaseModule } from '../src/database/database.module';
import { HOUR_MS } from '@wattprint/carbon';

const FIXTURES = join(__dirname, 'fixtures', 'intensity');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
const H = HOUR_MS;
const EM_TOKEN = 'em-test-token-123';
const WT_BASIC = `Basic ${Buffer.from('wt-user:wt-pass').toString('base64')}`;

/**
 * A local server answering like the providers, from their captured responses. `override` lets a
 * test answer one path with an error or a broken body instead.
 */
class FakeProviders {
  server!: Server;
  requests: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
  override = new Map<string, { status: number; body: string }>();
  wtTokens = new Set<string>();
  logins = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.answer(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push({ url: req.url!, headers: req.headers });
    const url = new URL(req.url!, 'http://x');
    const send = (status: number, body: string) => res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    const o = this.override.get(url.pathname);
    if (o) return void send(o.status, o.body);
    const p = url.pathname;
    if (p.startsWith('/em/v3/carbon-intensity/')) {
      if (req.headers['auth-token'] !== EM_TOKEN) return void send(401, '{"error":"Unauthorized"}');
      if (url.searchParams.get('zone') !== 'DE') return void send(404, '{"error":"zone"}');
      const file = {
        latest: 'electricitymaps-latest.json',
        history: 'electricitymaps-history.json',
        forecast: 'electricitymaps-forecast.json',
      }[p.slice('/em/v3/carbon-intensity/'.length)];
      return void (file ? send(200, fixture(file)) : send(404, '{}'));
    }
    if (p === '/wt/login') {
      if (req.headers.authorization !== WT_BASIC) return void send(403, '{"error":"bad credentials"}');
      const token = `wt-token-${++this.logins}`;
      this.wtTokens.add(token);
      return void send(200, JSON.stringify({ token }));
    }
    if (p.startsWith('/wt/v3/')) {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!this.wtTokens.has(token)) return void send(401, '{"error":"token expired"}');
      if (p === '/wt/v3/forecast' && url.searchParams.get('region') === 'CAISO_NORTH')
        return void send(200, fixture('watttime-forecast.json'));
      return void send(404, '{"error":"no capture for this request"}');
    }
    if (/^\/uk\/intensity\/[^/]+\/fw24h$/.test(p)) return void send(200, fixture('uk-carbonintensity-fw24h.json'));
    send(404, '{"error":"no capture for this request"}');
  }
}

describe('provider configuration', () => {
  it('is all off unless configured', () => {
    const c = parseCarbonConfig({});
    expect(c).toMatchObject({ electricityMaps: null, wattTime: null, ukCarbonIntensity: null, pollMs: 900_000 });
  });

  it('reads zones with optional region names', () => {
    const c = parseCarbonConfig({
      WATTPRINT_ELECTRICITYMAPS_TOKEN: 't',
      WATTPRINT_ELECTRICITYMAPS_ZONES: 'DE, FR ,US-CAL-CISO',
      WATTPRINT_WATTTIME_USERNAME: 'u',
      WATTPRINT_WATTTIME_PASSWORD: 'p',
      WATTPRINT_WATTTIME_REGIONS: 'CAISO_NORTH=US-CAL-CISO',
      WATTPRINT_UKCI_ENABLED: 'true',
      WATTPRINT_INTENSITY_POLL_MS: '60000',
    });
    expect(c.electricityMaps!.zones).toEqual([
      { provider: 'DE', region: 'DE' },
      { provider: 'FR', region: 'FR' },
      { provider: 'US-CAL-CISO', region: 'US-CAL-CISO' },
    ]);
    expect(c.wattTime).toMatchObject({
      regions: [{ provider: 'CAISO_NORTH', region: 'US-CAL-CISO' }],
      signalType: 'co2_moer',
      baseUrl: 'https://api.watttime.org',
    });
    expect(c.ukCarbonIntensity).toEqual({ baseUrl: 'https://api.carbonintensity.org.uk', region: 'GB' });
    expect(c.pollMs).toBe(60_000);
  });

  it('names every bad variable at once, including a provider configured by halves', () => {
    let error: unknown;
    try {
      parseCarbonConfig({
        WATTPRINT_ELECTRICITYMAPS_TOKEN: 'secret-token',
        WATTPRINT_WATTTIME_USERNAME: 'u',
        WATTPRINT_WATTTIME_REGIONS: 'A=B=C',
        WATTPRINT_UKCI_URL: 'ftp://x',
        WATTPRINT_INTENSITY_POLL_MS: '5',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual([
      'WATTPRINT_ELECTRICITYMAPS_ZONES',
      'WATTPRINT_INTENSITY_POLL_MS',
      'WATTPRINT_UKCI_URL',
      'WATTPRINT_WATTTIME_PASSWORD',
      'WATTPRINT_WATTTIME_REGIONS',
    ]);
    expect((error as Error).message).not.toContain('secret-token');
  });
});

describe('provider clients against captured responses', () => {
  const fake = new FakeProviders();
  let base: string;
  beforeAll(async () => {
    base = await fake.start();
  });
  afterAll(() => fake.stop());

  const em = () => new ElectricityMapsClient({ baseUrl: `${base}/em/v3`, token: EM_TOKEN, zones: [] }, 2000);
  const DE = { provider: 'DE', region: 'DE' };

  it('Electricity Maps latest: one hourly actual, stamped with updatedAt, sent with auth-token', async () => {
    const records = await em().latest(DE, 0);
    expect(records).toEqual([
      {
        region: 'DE',
        periodStart: Date.parse('2026-11-20T22:00:00Z'),
        periodEnd: Date.parse('2026-11-20T23:00:00Z'),
        gPerKwh: 431,
        kind: 'actual',
        source: 'electricitymaps',
        revisedAt: Date.parse('2026-11-20T22:09:54.950Z'),
      },
    ]);
    expect(fake.requests.at(-1)!.headers['auth-token']).toBe(EM_TOKEN);
  });

  it('Electricity Maps history: 24 hourly actuals', async () => {
    const records = await em().history(DE, 0);
    expect(records).toHaveLength(24);
    expect(records[0]).toMatchObject({ periodStart: Date.parse('2026-11-20T00:00:00Z'), gPerKwh: 412, kind: 'actual' });
    expect(records[23]).toMatchObject({
      periodStart: Date.parse('2026-11-20T23:00:00Z'),
      periodEnd: Date.parse('2026-11-21T00:00:00Z'),
      gPerKwh: 420,
    });
    expect(records[8].gPerKwh).toBe(470);
  });

  it('Electricity Maps forecast: 24 hourly forecasts stamped with the forecast updatedAt', async () => {
    const records = await em().forecast(DE);
    expect(records).toHaveLength(24);
    expect(records[0]).toMatchObject({
      periodStart: Date.parse('2026-11-21T00:00:00Z'),
      gPerKwh: 402,
      kind: 'forecast',
      revisedAt: Date.parse('2026-11-20T23:40:11Z'),
    });
    expect(records[18].gPerKwh).toBe(476);
  });

  it('WattTime forecast: logs in, then converts 5-minute co2_moer points from lbs/MWh to g/kWh', async () => {
    const wt = new WattTimeClient(
      { baseUrl: `${base}/wt`, username: 'wt-user', password: 'wt-pass', regions: [], signalType: 'co2_moer' },
      2000,
    );
    const records = await wt.forecast({ provider: 'CAISO_NORTH', region: 'US-CAL-CISO' }, 0);
    expect(records).toHaveLength(12);
    expect(records[0]).toMatchObject({
      region: 'US-CAL-CISO',
      periodStart: Date.parse('2026-11-21T00:00:00Z'),
      periodEnd: Date.parse('2026-11-21T00:05:00Z'),
      kind: 'forecast',
      source: 'watttime:co2_moer',
      revisedAt: Date.parse('2026-11-21T00:00:00Z'),
    });
    expect(records[0].gPerKwh).toBeCloseTo(1048.41 * 0.45359237, 9); // 475.5508 g/kWh
    expect(records[11].gPerKwh).toBeCloseTo(1030.0 * 0.45359237, 9);
    const forecastCall = fake.requests.find((r) => r.url.startsWith('/wt/v3/forecast'))!;
    expect(forecastCall.url).toBe('/wt/v3/forecast?region=CAISO_NORTH&signal_type=co2_moer');
  });

  it('WattTime logs in again once when its token has expired', async () => {
    const wt = new WattTimeClient(
      { baseUrl: `${base}/wt`, username: 'wt-user', password: 'wt-pass', regions: [], signalType: 'co2_moer' },
      2000,
    );
    await wt.forecast({ provider: 'CAISO_NORTH', region: 'X' }, 0);
    const loginsBefore = fake.logins;
    fake.wtTokens.clear();
    expect(await wt.forecast({ provider: 'CAISO_NORTH', region: 'X' }, 0)).toHaveLength(12);
    expect(fake.logins).toBe(loginsBefore + 1);
  });

  it('WattTime historical asks for the window with the bearer token', async () => {
    const wt = new WattTimeClient(
      { baseUrl: `${base}/wt`, username: 'wt-user', password: 'wt-pass', regions: [], signalType: 'co2_moer' },
      2000,
    );
    const from = Date.parse('2026-11-20T00:00:00Z');
    // No historical capture exists in the fixtures, so the server answers 404: the request is what is checked.
    await expect(wt.historical({ provider: 'CAISO_NORTH', region: 'X' }, from, from + 24 * H, 0)).rejects.toThrow(/404/);
    const call = fake.requests.filter((r) => r.url.startsWith('/wt/v3/historical')).at(-1)!;
    expect(call.url).toBe(
      '/wt/v3/historical?region=CAISO_NORTH&start=2026-11-20T00%3A00%3A00.000Z&end=2026-11-21T00%3A00%3A00.000Z&signal_type=co2_moer',
    );
    expect(call.headers.authorization).toMatch(/^Bearer wt-token-\d+$/);
  });

  it('UK Carbon Intensity: half-hourly forecasts, no actual where actual is null', async () => {
    const uk = new UkCarbonIntensityClient({ baseUrl: `${base}/uk`, region: 'GB' }, 2000);
    const from = Date.parse('2026-11-21T21:00:00Z');
    const records = await uk.forward24h(from, 7);
    expect(fake.requests.at(-1)!.url).toBe('/uk/intensity/2026-11-21T21:00Z/fw24h');
    expect(records).toHaveLength(6);
    expect(records.every((r) => r.kind === 'forecast' && r.region === 'GB' && r.revisedAt === 7)).toBe(true);
    expect(records.map((r) => r.gPerKwh)).toEqual([146, 151, 149, 140, 132, 128]);
    expect(records[1]).toMatchObject({ periodStart: Date.parse('2026-11-21T21:30:00Z'), periodEnd: Date.parse('2026-11-21T22:00:00Z') });
  });

  it('names the setting to fix on 401, without the secret', async () => {
    const bad = new ElectricityMapsClient({ baseUrl: `${base}/em/v3`, token: 'wrong-secret', zones: [] }, 2000);
    const error = await bad.latest(DE, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ failure: 'auth', status: 401, provider: 'electricitymaps' });
    expect((error as Error).message).toContain('WATTPRINT_ELECTRICITYMAPS_TOKEN');
    expect((error as Error).message).not.toContain('wrong-secret');
    const wt = new WattTimeClient(
      { baseUrl: `${base}/wt`, username: 'wt-user', password: 'nope', regions: [], signalType: 'co2_moer' },
      2000,
    );
    await expect(wt.forecast({ provider: 'CAISO_NORTH', region: 'X' }, 0)).rejects.toMatchObject({ failure: 'auth', status: 403 });
  });

  it('reports 500s and malformed bodies clearly', async () => {
    fake.override.set('/em/v3/carbon-intensity/history', { status: 500, body: 'upstream down' });
    await expect(em().history(DE, 0)).rejects.toMatchObject({
      failure: 'http',
      status: 500,
      message: expect.stringContaining('upstream down'),
    });
    fake.override.set('/em/v3/carbon-intensity/history', { status: 200, body: '<html>' });
    await expect(em().history(DE, 0)).rejects.toMatchObject({ failure: 'malformed', message: expect.stringContaining('not JSON') });
    const broken = JSON.parse(fixture('electricitymaps-history.json'));
    broken.history[3].carbonIntensity = 'high';
    fake.override.set('/em/v3/carbon-intensity/history', { status: 200, body: JSON.stringify(broken) });
    await expect(em().history(DE, 0)).rejects.toMatchObject({
      failure: 'malformed',
      message: expect.stringContaining('history.3.carbonIntensity'),
    });
    fake.override.delete('/em/v3/carbon-intensity/history');

    const wrongUnits = JSON.parse(fixture('watttime-forecast.json'));
    wrongUnits.meta.units = 'percentile';
    fake.override.set('/wt/v3/forecast', { status: 200, body: JSON.stringify(wrongUnits) });
    const wt = new WattTimeClient(
      { baseUrl: `${base}/wt`, username: 'wt-user', password: 'wt-pass', regions: [], signalType: 'co2_moer' },
      2000,
    );
    await expect(wt.forecast({ provider: 'CAISO_NORTH', region: 'X' }, 0)).rejects.toThrow(/meta.units is "percentile"/);
    fake.override.delete('/wt/v3/forecast');
  });

  it('gives up on a provider that does not answer in time', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as AddressInfo).port;
    const slow = new ElectricityMapsClient({ baseUrl: `http://127.0.0.1:${port}/v3`, token: 't', zones: [] }, 200);
    await expect(slow.latest(DE, 0)).rejects.toMatchObject({
      failure: 'network',
      message: expect.stringContaining('no answer within 200 ms'),
    });
    silent.closeAllConnections();
    await new Promise((r) => silent.close(r));
  });
});

describe.each(DIALECTS)('intensity polling on %s', (dialect) => {
  const fake = new FakeProviders();
  let testDb: TestDatabase;
  let handle: DatabaseHandle;
  let repo: IntensityRepository;
  let config: CarbonConfig;

  beforeAll(async () => {
    const base = await fake.start();
    testDb = await createTestDatabase(dialect);
    handle = connect({ url: testDb.url });
    await migrateToLatest(handle.db, handle.dialect);
    repo = new IntensityRepository(handle);
    config = parseCarbonConfig({
      WATTPRINT_ELECTRICITYMAPS_URL: `${base}/em/v3`,
      WATTPRINT_ELECTRICITYMAPS_TOKEN: EM_TOKEN,
      WATTPRINT_ELECTRICITYMAPS_ZONES: 'DE',
      WATTPRINT_WATTTIME_URL: `${base}/wt`,
      WATTPRINT_WATTTIME_USERNAME: 'wt-user',
      WATTPRINT_WATTTIME_PASSWORD: 'wt-pass',
      WATTPRINT_WATTTIME_REGIONS: 'CAISO_NORTH=US-CAL-CISO',
      WATTPRINT_UKCI_ENABLED: 'true',
      WATTPRINT_UKCI_URL: `${base}/uk`,
      WATTPRINT_INTENSITY_TIMEOUT_MS: '2000',
    });
  });

  afterAll(async () => {
    await fake.stop();
    await handle.close();
    await testDb.drop();
  });

  it('stores what every provider answered, and a failing request stores nothing and stops nothing', async () => {
    const poller = new IntensityPoller(config, repo, new ClockRepository());
    const report = await poller.pollOnce();
    // No captures exist for WattTime historical and UK pt24h: those two requests fail (404), the rest store.
    expect(report.failures.map((f) => f.task).sort()).toEqual(['uk-carbon-intensity pt24h', 'watttime historical CAISO_NORTH']);
    // EM latest (1, same key as a history hour) + history 24 + forecast 24, WattTime 12, UK 6.
    expect(report.stored).toBe(1 + 24 + 24 + 12 + 6);
    expect(await repo.range('DE', Date.parse('2026-11-20T00:00:00Z'), Date.parse('2026-11-22T00:00:00Z'))).toHaveLength(48);

    // The stored series turn into emission factors: hand-computed from the captures.
    const sites = new SiteRepository(handle);
    await sites.create({ id: 'sfo', name: 'SF', region: 'US-CAL-CISO', createdAt: 0 }, [{ validFrom: 0, pue: 1.0 }]);
    await sites.create({ id: 'lon', name: 'London', region: 'GB', createdAt: 0 }, [{ validFrom: 0, pue: 1.0 }]);
    await sites.create({ id: 'fra', name: 'Frankfurt', region: 'DE', createdAt: 0 }, [{ validFrom: 0, pue: 1.0 }]);
    await sites.assignNode('n-sfo', 'sfo');
    await sites.assignNode('n-lon', 'lon');
    await sites.assignNode('n-fra', 'fra');
    const carbon = new CarbonService(sites, repo);
    const h0 = Date.parse('2026-11-21T00:00:00Z');
    const h21 = Date.parse('2026-11-21T21:00:00Z');
    const h22 = Date.parse('2026-11-20T22:00:00Z');
    const f = await carbon.hourFactors([
      { node: 'n-sfo', hourStart: h0 },
      { node: 'n-lon', hourStart: h21 },
      { node: 'n-fra', hourStart: h22 },
    ]);
    // Mean of the twelve 5-minute points, 993.58417 lbs/MWh × 0.45359237 = 450.68220 g/kWh.
    expect(f.get(`n-sfo@${h0}`)!.gPerKwh).toBeCloseTo(450.682197, 5);
    expect(f.get(`n-sfo@${h0}`)!.source).toBe('watttime:co2_moer (forecast)');
    expect(f.get(`n-lon@${h21}`)).toMatchObject({ gPerKwh: 148.5, source: 'uk-carbon-intensity (forecast)', estimated: false });
    expect(f.get(`n-fra@${h22}`)).toMatchObject({ gPerKwh: 431, source: 'electricitymaps', estimated: false });
  });

  it('stores nothing from a response that fails validation', async () => {
    const broken = JSON.parse(fixture('electricitymaps-forecast.json'));
    for (const row of broken.forecast) row.carbonIntensity += 1000; // a revision that would change every hour…
    broken.forecast[5].datetime = 'tomorrow'; // …in a body with one bad row
    fake.override.set('/em/v3/carbon-intensity/forecast', { status: 200, body: JSON.stringify(broken) });
    const before = await repo.range('DE', Date.parse('2026-11-21T00:00:00Z'), Date.parse('2026-11-22T00:00:00Z'), 'forecast');
    const report = await new IntensityPoller(config, repo, new ClockRepository()).pollOnce();
    expect(report.failures.find((x) => x.task === 'electricitymaps forecast DE')!.error).toContain('forecast.5.datetime');
    expect(await repo.range('DE', Date.parse('2026-11-21T00:00:00Z'), Date.parse('2026-11-22T00:00:00Z'), 'forecast')).toEqual(before);
    fake.override.delete('/em/v3/carbon-intensity/forecast');
  });
});

describe('polling on a schedule inside the collector', () => {
  const fake = new FakeProviders();
  let base: string;
  let testDb: TestDatabase;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    base = await fake.start();
    testDb = await createTestDatabase('sqlite');
    handle = connect({ url: testDb.url });
    await migrateToLatest(handle.db, handle.dialect);
  });

  afterAll(async () => {
    await fake.stop();
    await handle.close();
    await testDb.drop();
  });

  async function boot(role: string) {
    @Module({
      imports: [
        ConfigModule.forRoot(parseCollectorConfig({ DATABASE_URL: testDb.url, WATTPRINT_ROLE: role })),
        ClockModule,
        DatabaseModule.forRoot(testDb.url),
        CarbonModule.forRoot(
          parseCarbonConfig({ WATTPRINT_UKCI_ENABLED: 'true', WATTPRINT_UKCI_URL: `${base}/uk`, WATTPRINT_INTENSITY_POLL_MS: '10000' }),
        ),
      ],
    })
    class PollingModule {}
    const app = await NestFactory.create(PollingModule, { logger: false });
    await app.init();
    return app;
  }

  const ukRequests = () => fake.requests.filter((r) => r.url.startsWith('/uk/')).length;

  it('does not poll on a worker-only replica', async () => {
    const app = await boot('worker');
    await new Promise((r) => setTimeout(r, 200));
    await app.close();
    expect(ukRequests()).toBe(0);
  });

  it('polls at start when forRoot turns a provider on, and stops on shutdown', async () => {
    const app = await boot('all');
    const repo = new IntensityRepository(handle);
    const from = Date.parse('2026-11-21T21:00:00Z');
    for (let i = 0; i < 50 && (await repo.range('GB', from, from + 3 * H)).length < 6; i++) await new Promise((r) => setTimeout(r, 50));
    await app.close();
    expect((await repo.range('GB', from, from + 3 * H, 'forecast')).map((r) => r.gPerKwh)).toEqual([146, 151, 149, 140, 132, 128]);
    const after = ukRequests();
    expect(after).toBe(2); // pt24h and fw24h, once
    await new Promise((r) => setTimeout(r, 100));
    expect(ukRequests()).toBe(after);
  });
});
