import { Batch } from '@wattprint/protocol';
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
