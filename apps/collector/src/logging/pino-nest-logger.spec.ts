import { Logger } from '@nestjs/common';
import { createStructuredLogger } from '@wattprint/runtime';
import { PinoNestLogger } from './pino-nest-logger';
import { requestContext } from './request-context';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createStructuredLogger({
    service: 'collector',
    level: 'trace',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  return { nest: new PinoNestLogger(logger), lines };
}

describe('PinoNestLogger', () => {
  it("maps Nest's levels and its trailing context argument", () => {
    const { nest, lines } = capture();
    nest.log('started', 'NestApplication');
    nest.warn('slow', 'IngestWorker');
    nest.verbose('detail');
    nest.debug({ batches: 3 }, 'IngestService');
    expect(lines.map((l) => [l.level, l.msg, l.context])).toEqual([
      ['info', 'started', 'NestApplication'],
      ['warn', 'slow', 'IngestWorker'],
      ['trace', 'detail', undefined],
      ['debug', undefined, 'IngestService'],
    ]);
    expect(lines[3].batches).toBe(3);
  });

  it('keeps the stack Nest hands to error(), and serialises an Error given as the message', () => {
    const { nest, lines } = capture();
    nest.error('commit failed', 'Error: boom\n    at x (y.ts:1:1)', 'IngestService');
    nest.error(new Error('kaput'), 'QueueRepository');
    expect(lines[0]).toMatchObject({
      level: 'error',
      msg: 'commit failed',
      context: 'IngestService',
      stack: 'Error: boom\n    at x (y.ts:1:1)',
    });
    expect(lines[1]).toMatchObject({ level: 'error', msg: 'kaput', context: 'QueueRepository' });
    expect((lines[1].err as { stack: string }).stack).toContain('kaput');
  });

  it("adds the request id to what `new Logger('X')` writes while a request is handled", async () => {
    const { nest, lines } = capture();
    Logger.overrideLogger(nest);
    try {
      const log = new Logger('JobService');
      await requestContext.run({ reqId: 'req-42' }, async () => {
        await new Promise((r) => setImmediate(r));
        log.log('inside');
      });
      log.log('outside');
    } finally {
      Logger.overrideLogger(false);
    }
    expect(lines.map((l) => [l.msg, l.context, l.reqId])).toEqual([
      ['inside', 'JobService', 'req-42'],
      ['outside', 'JobService', undefined],
    ]);
  });
});
