import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@wattprint/runtime';
import type { Logger } from '../logger';
import type { PrometheusAgentMetrics } from './prometheus-agent-metrics';

/**
 * Serves `GET /metrics` (Prometheus text) on host:port; every other path is a 404. Resolves once
 * listening, with the port actually bound (0 picks a free one), or rejects with a ConfigError naming
 * the variable when the port is taken or the address is not this host's (exit status 2, as any bad setting).
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
    const refused = (error: NodeJS.ErrnoException) =>
      reject(
        new ConfigError(
          [
            `WATTPRINT_AGENT_METRICS_PORT=${port}: cannot listen on ${host}:${port} (${error.code ?? error.message}); expected a free port on an address of this host (WATTPRINT_AGENT_METRICS_HOST)`,
          ],
          'agent configuration',
        ),
      );
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
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
