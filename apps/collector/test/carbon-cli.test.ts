import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CanActivate, type ExecutionContext, type INestApplication, Injectable, Module, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { type DatabaseHandle, connect, migrateToLatest } from '@wattprint/db';
import { DIALECTS, type TestDatabase, createTestDatabase } from '@wattprint/db/testing';
// The CLI talks to the collector over HTTP: this test runs the built command, as a user does, against
// the real API.
import { buildCli, wattprintBin } from './support/cli-bin';
import { CarbonModule } from '../src/carbon/carbon.module';
import { IntensityRepository } from '../src/carbon/intensity/intensity.repository';
import { parseCollectorConfig } from '../src/config/collector-config';
import { ClockModule } from '../src/clock/clock.module';
import { ConfigModule } from '../src/config/config.module';
import { DatabaseModule } from '../src/database/database.module';
import { HOUR_MS } from '@wattprint/carbon';

// Each test runs the CLI in processes of its own, on a machine shared with other work: seconds, not milliseconds.
jest.setTimeout(60_000);

const ADMIN_TOKEN = 'cli-test-admin-token-0123456789';

/** Stands in for the real auth guard inside this file: one admin bearer token. */
@Injectable()
class BearerGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string>; principal?: unknown }>();
    if (req.headers.authorization !== `Bearer ${ADMIN_TOKEN}`)
      throw new UnauthorizedException({ error: 'unauthorized', message: 'unknown token' });
    req.principal = { tokenId: 'cli', role: 'admin', team: null, agentId: null };
    return true;
  }
}

const HOUR = HOUR_MS;
const START = Date.UTC(2024, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

describe.each(DIALECTS)('wattprint intensity import against the collector on %s', (dialect) => {
  let testDb: TestDatabase;
  let app: INestApplication;
  let handle: DatabaseHandle;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    buildCli();
    dir = mkdtempSync(join(tmpdir(), 'wattprint-cli-intensity-'));
    testDb = await createTestDatabase(dialect);
    handle = connect({ url: testDb.url });
    await migrateToLatest(handle.db, handle.dialect);
    @Module({
      imports: [
        ConfigModule.forRoot(parseCollectorConfig({ DATABASE_URL: testDb.url })),
        ClockModule,
        DatabaseModule.forRoot(testDb.url),
        CarbonModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: BearerGuard }],
    })
    class TestModule {}
    app = await NestFactory.create(TestModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app.close();
    await handle.close();
    await testDb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `wattprint …` as a user does, with only `env` set. */
  const wattprint = (args: string[], env: Record<string, string> = {}) => wattprintBin(args, env);

  it('streams a large CSV in chunks, reports bad rows by their line in the file, and imports the rest', async () => {
    const lines = ['region,start,end,g_per_kwh'];
    for (let i = 0; i < 20_000; i++) {
      lines.push(`SE,${iso(START + i * HOUR)},${iso(START + (i + 1) * HOUR)},${10 + (i % 100)}`);
      if (i === 4) lines.push('SE,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,x'); // line 7
      if (i === 14_000) lines.push('SE,2024-13-01T00:00:00Z,2024-01-01T01:00:00Z,50'); // line 14,004
    }
    lines.push('SE,2024-01-01T00:00:00Z'); // line 20,004
    const file = join(dir, 'sweden.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const res = await wattprint(['intensity', 'import', file, '--url', url, '--chunk-rows', '3000', '--json'], {
      WATTPRINT_TOKEN: ADMIN_TOKEN,
    });
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ rows: 20_003, imported: 20_000, rejected: 3, chunks: 7, problemsOmitted: 0 });
    expect(summary.problems).toEqual([
      { line: 7, column: 'g_per_kwh', value: 'x', expected: 'a number of gCO2eq/kWh from 0 to 5000' },
      {
        line: 14_004,
        column: 'start',
        value: '2024-13-01T00:00:00Z',
        expected: 'an ISO 8601 date-time with a zone, e.g. 2026-11-20T10:00:00Z',
      },
      { line: 20_004, column: '(row)', value: 'SE,2024-01-01T00:00:00Z', expected: '4 comma-separated fields' },
    ]);
    // Rejections make the exit status 1, after the valid rows were imported; off a terminal, no progress bar.
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`${file}: 3 of 20003 rows rejected; the others were imported\n`);

    const stored = await new IntensityRepository(handle).range('SE', START, START + 20_000 * HOUR);
    expect(stored).toHaveLength(20_000);
    expect(stored[123]).toMatchObject({ periodStart: START + 123 * HOUR, gPerKwh: 10 + 23, kind: 'actual', source: 'import:sweden.csv' });
  });

  it('imports a JSON array as forecasts and prints a human summary, no bar off a terminal', async () => {
    const file = join(dir, 'fc.json');
    writeFileSync(
      file,
      JSON.stringify([
        { region: 'NO', start: '2026-11-21T00:00:00Z', end: '2026-11-21T01:00:00Z', gPerKwh: 30 },
        { region: 'NO', start: '2026-11-21T01:00:00Z', end: '2026-11-21T02:00:00Z', gPerKwh: 31 },
        { region: 'NO', start: '2026-11-21T02:00:00Z', end: '2026-11-21T03:00:00Z', gPerKwh: 29, kind: 'actual' },
      ]),
    );
    const res = await wattprint(['intensity', 'import', file, '--kind', 'forecast', '--chunk-rows', '2', '--source', 'nordpool'], {
      WATTPRINT_URL: url,
      WATTPRINT_TOKEN: ADMIN_TOKEN,
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toBe(`imported 3 of 3 rows from ${file} (0 rejected) as import:nordpool\n`);
    expect(res.stderr).toBe('');
    const repo = new IntensityRepository(handle);
    expect(
      (await repo.range('NO', Date.parse('2026-11-21T00:00:00Z'), Date.parse('2026-11-21T03:00:00Z'), 'forecast')).map((r) => r.gPerKwh),
    ).toEqual([30, 31]);
    expect(
      (await repo.range('NO', Date.parse('2026-11-21T00:00:00Z'), Date.parse('2026-11-21T03:00:00Z'), 'actual')).map((r) => r.gPerKwh),
    ).toEqual([29]);
  });

  it('keeps JSON bodies under the body-size limit of the API, however many rows per chunk', async () => {
    const file = join(dir, 'big.json');
    const start = Date.UTC(2023, 0, 1);
    writeFileSync(
      file,
      JSON.stringify(
        Array.from({ length: 3000 }, (_, i) => ({
          region: 'FI',
          start: iso(start + i * HOUR),
          end: iso(start + (i + 1) * HOUR),
          gPerKwh: 80 + (i % 7),
        })),
      ),
    );
    const res = await wattprint(['intensity', 'import', file, '--url', url, '--token', ADMIN_TOKEN, '--json']);
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ rows: 3000, imported: 3000, rejected: 0 });
    expect(summary.chunks).toBeGreaterThan(1);
    expect(await new IntensityRepository(handle).range('FI', start, start + 3000 * HOUR)).toHaveLength(3000);
  });

  it('says what to fix: no token, a refused token, an unreachable collector, a missing file, a file without header', async () => {
    const file = join(dir, 'one.csv');
    writeFileSync(file, 'region,start,end,g_per_kwh\nSE,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,40\n');
    const noToken = await wattprint(['intensity', 'import', file, '--url', url]);
    expect([noToken.code, noToken.stderr]).toEqual([1, 'no API token: pass --token or --token-file, or set WATTPRINT_TOKEN\n']);
    const refused = await wattprint(['intensity', 'import', file, '--url', url, '--token', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the token \(401\).*WATTPRINT_TOKEN/);
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const unreachable = await wattprint(['intensity', 'import', file, '--url', deadUrl, '--token', ADMIN_TOKEN]);
    expect(unreachable.stderr).toBe(`cannot reach the collector at ${deadUrl}: ECONNREFUSED (set --url or WATTPRINT_URL)\n`);
    const missing = await wattprint(['intensity', 'import', join(dir, 'nope.csv'), '--url', url, '--token', ADMIN_TOKEN]);
    expect(missing.stderr).toContain('nope.csv: cannot read (ENOENT)');
    const headerless = join(dir, 'headerless.csv');
    writeFileSync(headerless, 'SE,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,40\n');
    const bad = await wattprint(['intensity', 'import', headerless, '--url', url, '--token', ADMIN_TOKEN]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^line 1, column 1: got "SE"; expected one of region, start, end, g_per_kwh, kind/);
  });

  it('imports the shipped example as the README says, the token from the environment or a file, never an empty --token', async () => {
    const example = join(__dirname, '..', '..', '..', 'examples', 'intensity-import.csv');
    // `--token "$TOKEN"` with TOKEN unset is an empty --token: WATTPRINT_TOKEN, which the quick start exports, still counts.
    const fromEnv = await wattprint(['intensity', 'import', example, '--url', url, '--token', ''], { WATTPRINT_TOKEN: ADMIN_TOKEN });
    expect(fromEnv.stderr).toBe('');
    expect(fromEnv.stdout).toMatch(
      /^imported (\d+) of \1 rows from .*intensity-import\.csv \(0 rejected\) as import:intensity-import\.csv\n$/,
    );
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, `${ADMIN_TOKEN}\n`, { mode: 0o600 });
    const fromFile = await wattprint(['intensity', 'import', example, '--url', url, '--token-file', tokenFile, '--json']);
    expect(fromFile.code).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({ rejected: 0 });
  });
});
