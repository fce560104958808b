import { logLines } from './log-lines';

describe('logLines', () => {
  it('keeps the JSON objects of an output and skips markers, cut lines and other JSON', () => {
    const output = [
      '--- agent:a start #1 at 2026-12-01T00:00:00.000Z ---',
      '{"level":"info","time":"2026-12-01T00:00:00.001Z","service":"agent","bootId":"b1","msg":"agent starting"}',
      '{"level":"info","msg":"cut',
      '[1,2]',
      'Error: boom',
      '{"level":"warn","msg":"Redis unreachable; spooling to disk"}',
      '',
    ].join('\n');
    expect(logLines(output).map((l) => [l.level, l.msg, l.bootId])).toEqual([
      ['info', 'agent starting', 'b1'],
      ['warn', 'Redis unreachable; spooling to disk', undefined],
    ]);
  });
});
