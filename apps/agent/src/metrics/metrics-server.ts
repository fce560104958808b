import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import type { PrometheusAgentMetrics } from './prometheus-agent-metrics';

/**
 * Serves `GET /metrics` (Prometheus text) on host:port; every other path is a 404. Resolves once
 * listening, with the port actually bound (0 picks a free one), or rejects when the port is taken.
 */
export async function serveMetrics(
  metrics: PrometheusAgentMetrics,
  host: string,
  port: number,
  log: Logger,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
      return;
    }
    metrics.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      (error) => {
        log.error('metrics failed', { error: (error as Error).message });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  log.info('serving metrics', { url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics` });
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
