import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { JobEventBody } from './job-event';

/**
 * What became of one event: `delivered` (applied now, or `applied: false` when the collector had it
 * already), `rejected` for good (the collector named a bad field: retrying sends the same bytes), or
 * `retry` (collector away, slow, overloaded, or refusing the token: the event waits in the spool).
 */
export type Delivery =
  | { outcome: 'delivered'; applied: boolean }
  | { outcome: 'rejected'; status: number; message: string }
  | { outcome: 'retry'; message: string };

export interface CollectorTarget {
  url: string;
  token: string;
  ca: string | null;
}

const PERMANENT = new Set([400, 413, 415, 422]);

export function postJobEvent(target: CollectorTarget, body: JobEventBody, timeoutMs: number): Promise<Delivery> {
  const url = new URL(`${target.url}/api/v1/job-events`);
  const payload = JSON.stringify(body);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (d: Delivery) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(d);
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          authorization: `Bearer ${target.token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        ...(target.ca !== null ? { ca: target.ca } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 4096) text += chunk;
        });
        res.on('end', () => settle(classify(res.statusCode ?? 0, text)));
        res.on('error', (error) => settle({ outcome: 'retry', message: `reading the answer: ${error.message}` }));
      },
    );
    // One deadline for everything (DNS, connect, TLS, answer): a prolog must not wait on a black hole.
    const timer = setTimeout(
      () => {
        settle({ outcome: 'retry', message: `no answer from ${url.origin} within ${timeoutMs} ms` });
        req.destroy();
      },
      Math.max(1, timeoutMs),
    );
    req.on('error', (error) =>
      settle({ outcome: 'retry', message: `${url.origin}: ${(error as NodeJS.ErrnoException).code ?? error.message}` }),
    );
    req.end(payload);
  });
}

export function classify(status: number, text: string): Delivery {
  const brief = text.replace(/\s+/g, ' ').trim().slice(0, 500);
  if (status >= 200 && status < 300) {
    try {
      const parsed = JSON.parse(text) as { applied?: unknown };
      if (typeof parsed.applied === 'boolean') return { outcome: 'delivered', applied: parsed.applied };
    } catch {
      // fall through
    }
    return { outcome: 'retry', message: `answered ${status} without {"applied": true|false} (a proxy page?): ${brief}` };
  }
  if (PERMANENT.has(status)) return { outcome: 'rejected', status, message: brief };
  if (status === 401 || status === 403)
    return { outcome: 'retry', message: `token refused (${status}): needs role scheduler or admin: ${brief}` };
  if (status === 404) return { outcome: 'retry', message: `404: the collector has no /api/v1/job-events (an older version?): ${brief}` };
  return { outcome: 'retry', message: `answered ${status}: ${brief}` };
}
