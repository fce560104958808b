import { Batch } from '@wattprint/protocol';
import { isCertainlyBatch } from './batch-acceptor';
import { parseSignedMessage } from './signed-message';

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

  it('calls a message nested deeper than any batch malformed before the schema walks it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 40_000; i++) deep = [deep];
    const parsed = parseSignedMessage(Batch, { version: 1, signature: 'f'.repeat(64), samples: deep });
    expect(parsed).toEqual({ ok: false, reason: 'malformed', detail: '(root): nested deeper than 16 levels; a message is at most 4 deep' });
  });
});
