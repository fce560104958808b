import { createStructuredLogger } from './logger';

function capture(level: Parameters<typeof createStructuredLogger>[0]['level'] = 'debug') {
  const lines: string[] = [];
  const log = createStructuredLogger({ service: 'test', level, destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createStructuredLogger', () => {
  it('writes one JSON object a line: level as a word, ISO time in UTC, service, msg and the fields', () => {
    const { log, lines, parsed } = capture();
    log.info({ batches: 3 }, 'ingested');
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    const [line] = parsed();
    expect(line).toMatchObject({ level: 'info', service: 'test', pid: process.pid, msg: 'ingested', batches: 3 });
    expect(line.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('drops what is below its level, and says nothing at all when silent', () => {
    const warn = capture('warn');
    warn.log.info('no');
    warn.log.warn('yes');
    expect(warn.parsed().map((l) => l.msg)).toEqual(['yes']);
    const silent = capture('silent');
    silent.log.fatal('no');
    expect(silent.lines).toEqual([]);
  });

  it('never writes a secret: headers, tokens, keys and passwords are redacted, top level and one down', () => {
    const { log, lines } = capture();
    log.info(
      {
        req: { method: 'GET', headers: { authorization: 'Bearer wp_supersecret', cookie: 'sid=abc' } },
        token: 'wp_t0ken',
        agent: { key: 'hmac-key-0123456789', id: 'a1' },
        config: { password: 'hunter2', bootstrapToken: 'boot-strap-token' },
      },
      'request',
    );
    const text = lines.join('');
    for (const secret of ['wp_supersecret', 'sid=abc', 'wp_t0ken', 'hmac-key-0123456789', 'hunter2', 'boot-strap-token'])
      expect(text).not.toContain(secret);
    expect(text).toContain('"id":"a1"');
    expect(text).toContain('[redacted]');
  });

  it('writes no colour codes and no locale dates', () => {
    const { log, lines } = capture();
    log.warn({ n: 1234567.5 }, 'careful');
    expect(lines.join('')).not.toContain('\x1b[');
    expect(lines.join('')).toContain('"n":1234567.5');
  });
});
