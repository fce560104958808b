import { Batch } from '@wattprint/protocol';
import { isCertainlyBatch } from './batch-acceptor';
import { parseSignedMessage } from './signed-message';
import { isTransientDbError } from './transient-error';

describe('parseSignedMessage', () => {
  it('calls a message without signature unsigned, and a bad one malformed with the field', () => {
    expect(parseSignedMessage(Batch, { agentId: 'a' })).toMatchObject({ ok: false, reason: 'unsigned' });
    expect(parseSignedMessage(Batch, 'text')).toMatchObject({ ok: false, reason: 'malformed' });
    const bad = parseSignedMessage(Batch, { signature: 'f'.repeat(64), version: 1 });
    expect(bad).toMatchObject({ ok: false, reason: 'malformed' });
    if (!bad.ok) expect(bad.detail).toMatch(/^agentId: /m);
  });

  it('with the fast batch test, gives the same verdicts and details as the schema alone', () => {
    const sample = {
      seq: 5,
      t0: 1000,
      t1: 2000,
      device: 'gpu0',
      kind: 'gpu',
      jobId: null,
      energyJ: 3,
      powerW: null,
      utilization: null,
      source: 'rapl',
    };
    const good = { version: 1, agentId: 'a', bootId: 'b', firstSeq: 5, node: 'n', sentAt: 9, signature: 'f'.repeat(64), samples: [sample] };
    const bad = {
      ...good,
      samples: [
        { ...sample, energyJ: -5 },
        { ...sample, seq: 7, kind: 'tpu' },
      ],
    };
    for (const message of [good, bad, { ...good, signature: undefined }, [good]]) {
      expect(parseSignedMessage(Batch, message, isCertainlyBatch)).toEqual(parseSignedMessage(Batch, message));
    }
    expect(parseSignedMessage(Batch, good, isCertainlyBatch)).toEqual({ ok: true, value: good });
  });
});

describe('isTransientDbError', () => {
  it('tells an unreachable database from a wrong write', () => {
    expect(isTransientDbError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isTransientDbError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isTransientDbError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isTransientDbError(Object.assign(new Error('no such table'), { code: 'SQLITE_ERROR' }))).toBe(false);
  });
});
