import { createServer } from 'node:http';
import { createStructuredLogger } from '@wattprint/runtime';
import request from 'supertest';
import { httpLogging } from './http-logging';
import { requestContext } from './request-context';

/** A bare HTTP server behind the middleware, answering with the request context its handler saw. */
function server() {
  const middleware = httpLogging(createStructuredLogger({ service: 'collector', level: 'info', destination: { write: () => undefined } }));
  return createServer((req, res) =>
    middleware(req, res, () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ context: requestContext.getStore() ?? null }));
    }),
  );
}

describe('httpLogging', () => {
  it('runs an API request inside its request context, with its id', async () => {
    const res = await request(server()).get('/api/v1/jobs?limit=1').set('x-request-id', 'trace-1');
    expect(res.body).toEqual({ context: { reqId: 'trace-1' } });
    expect(res.headers['x-request-id']).toBe('trace-1');
  });

  it.each(['/metrics', '/health', '/ready?verbose=1'])('runs the probe or scrape %s outside any request context', async (path) => {
    const res = await request(server()).get(path).set('x-request-id', 'probe-1');
    expect(res.body).toEqual({ context: null });
    // the id still comes back, for whoever correlates a slow scrape
    expect(res.headers['x-request-id']).toBe('probe-1');
  });
});
