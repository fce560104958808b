import type { JobEvent } from '@wattprint/protocol';
import { applyJobEvent, newJobFromEvent } from './job-event-merge';

const base = { agentId: 'a', node: 'n', jobId: '7', signature: '0'.repeat(64) };
const start: JobEvent = { ...base, eventId: 's', type: 'start', at: 1000, metadata: { user: 'ada', team: 'vision', labels: { p: 'gpu' } } };
const end: JobEvent = { ...base, eventId: 'e', type: 'end', at: 9000, exitCode: 3 };
const meta: JobEvent = { ...base, eventId: 'm', type: 'metadata', at: 5000, metadata: { project: 'llm', labels: { q: 'x' } } };

function replay(events: JobEvent[]) {
  return events.reduce(applyJobEvent, newJobFromEvent(events[0]));
}

describe('applyJobEvent', () => {
  it('gives the same job whatever order start, metadata and end arrive in', () => {
    const inOrder = replay([start, meta, end]);
    for (const order of [
      [end, start, meta],
      [meta, end, start],
      [end, meta, start],
    ]) {
      expect(replay(order)).toEqual(inOrder);
    }
    expect(inOrder).toMatchObject({
      state: 'ended',
      inferred: 0,
      user: 'ada',
      project: 'llm',
      started_at: 1000,
      ended_at: 9000,
      exit_code: 3,
      first_seen_at: 1000,
      last_seen_at: 9000,
    });
    expect(JSON.parse(inOrder.labels!)).toEqual({ p: 'gpu', q: 'x' });
  });

  it('keeps an inferred job inferred until its start event', () => {
    expect(replay([end]).inferred).toBe(1);
    expect(replay([end, start]).inferred).toBe(0);
  });
});
