import { createLogger } from './logger';

describe('agent logger', () => {
  it("writes the collector's format: JSON lines, level as a word, ISO time, service agent, msg and fields", () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => void lines.push(l));
    log.debug('hidden below info');
    log.info('agent starting', { bootId: 'b-1', agentKey: 'k'.repeat(32), redisUrl: 'redis://***@redis:6379' });
    log.warn('Redis unreachable; spooling to disk', { error: 'ECONNREFUSED' });
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((l) => [l.level, l.msg])).toEqual([
      ['info', 'agent starting'],
      ['warn', 'Redis unreachable; spooling to disk'],
    ]);
    expect(parsed[0]).toMatchObject({ service: 'agent', bootId: 'b-1', agentKey: '[redacted]' });
    expect(parsed[0].time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(lines.join('')).not.toContain('k'.repeat(32));
  });
});
