import type { BatchSpan } from './prepared-batch';
import { fillsGap, gapsAfterInsert, needingPredecessor, type SeqGap } from './seq-gaps';

function span(firstSeq: number, lastSeq: number): BatchSpan {
  return { agentId: 'a', bootId: 'b', node: 'n', firstSeq, lastSeq, firstT0: firstSeq * 1000, lastT1: (lastSeq + 1) * 1000 };
}

describe('gap detection', () => {
  it('needs no predecessor for seq 0 or for a batch following one of the same commit', () => {
    const added = [span(0, 39), span(40, 79), span(120, 159)];
    expect(needingPredecessor(added)).toEqual([span(120, 159)]);
  });

  it('records the hole back to the predecessor', () => {
    const b = span(120, 159);
    expect(gapsAfterInsert([b], new Map([[b, span(40, 79)]]), [])).toEqual([
      { agentId: 'a', bootId: 'b', node: 'n', fromSeq: 80, toSeq: 119, fromT: 80_000, toT: 120_000 },
    ]);
  });

  it('records a hole back to seq 0 when the first batch seen does not start there', () => {
    const b = span(40, 79);
    expect(gapsAfterInsert([b], new Map([[b, null]]), [])).toEqual([
      { agentId: 'a', bootId: 'b', node: 'n', fromSeq: 0, toSeq: 39, fromT: 40_000, toT: 40_000 },
    ]);
  });

  it("records an agent restart as a gap from the previous boot's last batch to the new boot's first", () => {
    const first = { ...span(1040, 1079), bootId: 'b2' };
    const oldTail = span(960, 999); // boot b ended at seq 999, at t = 1,000 s
    expect(gapsAfterInsert([first], new Map([[first, null]]), [], new Map([[first, oldTail]]))).toEqual([
      { agentId: 'a', bootId: 'b2', node: 'n', fromSeq: 1000, toSeq: 1039, fromT: 1_000_000, toT: 1_040_000 },
    ]);
    // seq numbered on without a hole: no seq is missing, but the dead window still shows
    const next = { ...span(1000, 1039), firstT0: 1_200_000, bootId: 'b2' };
    expect(gapsAfterInsert([next], new Map([[next, null]]), [], new Map([[next, oldTail]]))).toEqual([
      { agentId: 'a', bootId: 'b2', node: 'n', fromSeq: 1000, toSeq: 999, fromT: 1_000_000, toT: 1_200_000 },
    ]);
  });

  it('splits a gap a late batch lands in, and closes one it fills', () => {
    const gap: SeqGap = { agentId: 'a', bootId: 'b', node: 'n', fromSeq: 80, toSeq: 199, fromT: 80_000, toT: 200_000 };
    const late = span(120, 159);
    expect(gapsAfterInsert([late], new Map([[late, span(40, 79)]]), [gap])).toEqual([
      { ...gap, toSeq: 119, toT: 120_000 },
      { ...gap, fromSeq: 160, fromT: 160_000 },
    ]);
    const filler = span(80, 199);
    expect(gapsAfterInsert([filler], new Map([[filler, span(40, 79)]]), [gap])).toEqual([]);
  });

  it('keeps boots apart', () => {
    const other: BatchSpan = { ...span(120, 159), bootId: 'c' };
    const gap: SeqGap = { agentId: 'a', bootId: 'b', node: 'n', fromSeq: 80, toSeq: 199, fromT: 0, toT: 0 };
    expect(gapsAfterInsert([other], new Map([[other, { ...span(40, 159), bootId: 'c' }]]), [gap])).toEqual([]);
  });

  it("shrinks a restart gap to the dead window when the old boot's tail arrives after the new boot's first batch", () => {
    // boot b delivered up to seq 959 (t = 960 s) before b2's first batch (seq 1040, t = 1,040 s) was
    // ingested, so the restart gap began at seq 960; then b's last batch, seqs 960..999, arrives late
    const restart: SeqGap = { agentId: 'a', bootId: 'b2', node: 'n', fromSeq: 960, toSeq: 1039, fromT: 960_000, toT: 1_040_000 };
    const tail = span(960, 999);
    expect(gapsAfterInsert([tail], new Map([[tail, span(920, 959)]]), [restart])).toEqual([
      { ...restart, fromSeq: 1000, fromT: 1_000_000 },
    ]);
    // seq numbered on without a hole: no seq is missing any more, but the dead window stays
    const noHole: SeqGap = { ...restart, toSeq: 999 };
    expect(gapsAfterInsert([tail], new Map([[tail, span(920, 959)]]), [noHole])).toEqual([{ ...noHole, fromSeq: 1000, fromT: 1_000_000 }]);
  });

  it('fills a gap from another boot only when the batch lies inside its time window', () => {
    const restart: SeqGap = { agentId: 'a', bootId: 'b2', node: 'n', fromSeq: 960, toSeq: 1039, fromT: 960_000, toT: 1_040_000 };
    expect(fillsGap(span(960, 999), restart)).toBe(true);
    // a boot whose seq restarted (spool wiped) reaches the same seqs much later
    expect(fillsGap({ ...span(960, 999), bootId: 'b3', firstT0: 5_000_000, lastT1: 5_040_000 }, restart)).toBe(false);
    expect(fillsGap({ ...span(960, 999), agentId: 'other' }, restart)).toBe(false);
  });
});
