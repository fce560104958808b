// Against a real HTTP server on a free port: what the client sends, and how each failure reads.
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, CollectorClient, CollectorTimeoutError, CollectorUnreachableError } from '../src';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => handler(req, body, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function client(handler: Handler, timeoutMs?: number): Promise<CollectorClient> {
  const { url, server } = await serve(handler);
  servers.push(server);
  return new CollectorClient({ baseUrl: `${url}/`, token: 'wp_token', timeoutMs });
}

describe('CollectorClient', () => {
  it('sends the bearer token and the query, and reads the JSON answer', async () => {
    const seen: string[] = [];
    const c = await client((req, _body, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.setHeader('content-type', 'application/json');
      res.end('{"rows":[],"totals":{"energyKWh":0}}');
    });
    const usage = await c.usage({ groupBy: 'site', from: new Date(Date.UTC(2026, 0, 1)), to: new Date(Date.UTC(2026, 0, 2)) });
    expect(usage.rows).toEqual([]);
    expect(seen).toEqual([
      'GET /api/v1/usage?groupBy=site&bucket=day&from=2026-01-01T00%3A00%3A00.000Z&to=2026-01-02T00%3A00%3A00.000Z Bearer wp_token',
    ]);
  });

  it('follows the cursor through every page of jobs', async () => {
    const c = await client((req, _body, res) => {
      const cursor = new URL(req.url!, 'http://x').searchParams.get('cursor');
      const page = cursor === null ? { jobs: [{ id: 'a' }], nextCursor: 'c1' } : { jobs: [{ id: 'b' }], nextCursor: null };
      res.end(JSON.stringify(page));
    });
    expect((await c.jobs()).map((j) => j.id)).toEqual(['a', 'b']);
  });

  it('turns a refusal into an ApiError with method, path, status and body; send() hands it back instead', async () => {
    const c = await client((_req, body, res) => {
      res.statusCode = 400;
      res.end(`{"message":"bad site","echo":${JSON.stringify(body)}}`);
    });
    const error = await c.createSite({ id: 's', name: 'S', region: 'DE', pue: 0.5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ method: 'POST', path: '/api/v1/sites', status: 400 });
    expect((error as Error).message).toContain('bad site');
    const answer = await c.send('POST', '/api/v1/sites', {}, { body: 'x', contentType: 'text/plain' });
    expect(answer).toMatchObject({ status: 400, body: { message: 'bad site', echo: 'x' } });
  });

  it('keeps a body that is not JSON as text', async () => {
    const c = await client((_req, _body, res) => {
      res.statusCode = 502;
      res.end('<html>Bad Gateway</html>');
    });
    expect(await c.send('GET', '/api/v1/jobs')).toEqual({ status: 502, text: '<html>Bad Gateway</html>', body: undefined });
  });

  it('gives up after its timeout, naming the collector and the wait', async () => {
    const c = await client(() => undefined, 200); // never answers
    const started = Date.now();
    const error = await c.send('GET', '/api/v1/jobs').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectorTimeoutError);
    expect((error as Error).message).toMatch(/^the collector at http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.2 s$/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('says where it looked when nothing listens there', async () => {
    const { url, server } = await serve(() => undefined);
    await new Promise((r) => server.close(r));
    const error = await new CollectorClient({ baseUrl: url }).send('GET', '/ready').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CollectorUnreachableError);
    expect((error as Error).message).toBe(`cannot reach the collector at ${url}: ECONNREFUSED`);
    expect(await new CollectorClient({ baseUrl: url }).ready()).toBe(false);
  });
});
