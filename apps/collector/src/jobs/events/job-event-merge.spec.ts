import { applyJobEvent, type JobEventInput, type JobFields, type JobNodeRow, newJob } from './job-event-merge';

const agent = (node: string) => ({ kind: 'agent' as const, agentId: `ag-${node}`, node });
const scheduler = { kind: 'scheduler' as const };

/** Applies events in order as the repository does: one job row, one record per node. */
function replay(events: JobEventInput[]): { job: JobFields; nodes: JobNodeRow[] } {
  let job = newJob(events[0].at);
  let nodes: JobNodeRow[] = [];
  for (const event of events) {
    const outcome = applyJobEvent(job, nodes, event);
    job = outcome.job;
    if (outcome.node !== undefined) nodes = [...nodes.filter((n) => n.node !== outcome.node!.node), outcome.node];
  }
  return { job, nodes };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const base = { jobId: '7' };
const agentStart: JobEventInput = {
  ...base,
  type: 'start',
  at: 1_000,
  origin: agent('n1'),
  metadata: { user: 'ada', team: 'vision', scheduler: 'unknown', labels: { p: 'gpu' } },
};
const agentMeta: JobEventInput = {
  ...base,
  type: 'metadata',
  at: 5_000,
  origin: agent('n1'),
  metadata: { project: 'llm', labels: { q: 'x' } },
};
const agentEnd: JobEventInput = { ...base, type: 'end', at: 9_000, origin: agent('n1'), exitCode: null };

describe('applyJobEvent', () => {
  it('gives the same job whatever order start, metadata and end arrive in', () => {
    const inOrder = replay([agentStart, agentMeta, agentEnd]).job;
    for (const order of permutations([agentStart, agentMeta, agentEnd])) expect(replay(order).job).toEqual(inOrder);
    expect(inOrder).toMatchObject({
      state: 'ended',
      inferred: 0,
      user: 'ada',
      project: 'llm',
      started_at: 1_000,
      ended_at: 9_000,
      first_seen_at: 1_000,
      last_seen_at: 9_000,
    });
    expect(JSON.parse(inOrder.labels!)).toEqual({ p: 'gpu', q: 'x' });
  });

  it('keeps an inferred job inferred until its start event', () => {
    expect(replay([agentEnd]).job.inferred).toBe(1);
    expect(replay([agentEnd, agentStart]).job.inferred).toBe(0);
  });

  it('lets a scheduler outrank an agent field by field, in either order, and say how it ended', () => {
    const published: JobEventInput = {
      ...base,
      type: 'start',
      at: 900,
      origin: scheduler,
      metadata: { user: 'grace', team: 'nlp', scheduler: 'slurm', schedulerJobId: '7', labels: { p: 'a100' } },
    };
    const ended: JobEventInput = { ...base, type: 'end', at: 8_500, origin: scheduler, exitCode: 1, exitState: 'FAILED' };
    const expected = replay([published, agentStart, agentMeta, agentEnd, ended]).job;
    for (const order of permutations([published, agentStart, agentMeta, agentEnd, ended])) expect(replay(order).job).toEqual(expected);
    expect(expected).toMatchObject({
      user: 'grace',
      team: 'nlp',
      scheduler: 'slurm',
      scheduler_job_id: '7',
      project: 'llm', // nobody published one: the agent's fills the blank
      started_at: 900,
      ended_at: 8_500,
      exit_code: 1,
      exit_state: 'FAILED',
      state: 'ended',
    });
    expect(JSON.parse(expected.labels!)).toEqual({ p: 'a100', q: 'x' });
    expect(JSON.parse(expected.field_sources!)).toMatchObject({
      user: 'scheduler',
      project: 'agent',
      started_at: 'scheduler',
      ended_at: 'scheduler',
    });
  });

  it('never lets another node’s agent move a job to another team or user', () => {
    const intruder: JobEventInput = {
      ...base,
      type: 'metadata',
      at: 2_000,
      origin: agent('n2'),
      metadata: { team: 'evil', user: 'mallory' },
    };
    expect(replay([agentStart, intruder]).job).toMatchObject({ team: 'vision', user: 'ada' });
  });

  it('ends a job no scheduler ended only once every node that ran it has ended, at the last end', () => {
    const n2Start: JobEventInput = { ...base, type: 'start', at: 1_500, origin: agent('n2') };
    const n2End: JobEventInput = { ...base, type: 'end', at: 12_000, origin: agent('n2') };
    expect(replay([agentStart, n2Start, agentEnd]).job).toMatchObject({ state: 'running', ended_at: null });
    for (const order of permutations([agentStart, n2Start, agentEnd, n2End])) {
      expect(replay(order).job).toMatchObject({ state: 'ended', started_at: 1_000, ended_at: 12_000 });
    }
  });

  it('opens a job again when its node sees it after it ended there, but not for a start delivered after its own end', () => {
    const back: JobEventInput = { ...base, type: 'start', at: 20_000, origin: agent('n1') };
    expect(replay([agentStart, agentEnd, back]).job).toMatchObject({ state: 'running', ended_at: null, started_at: 1_000 });
    expect(replay([agentEnd, agentStart]).job).toMatchObject({ state: 'ended', ended_at: 9_000 });
  });

  it('keeps a job a scheduler ended ended, whatever agents say after', () => {
    const ended: JobEventInput = { ...base, type: 'end', at: 8_000, origin: scheduler, exitState: 'CANCELLED' };
    const late: JobEventInput = { ...base, type: 'start', at: 30_000, origin: agent('n3') };
    expect(replay([agentStart, ended, late]).job).toMatchObject({ state: 'ended', ended_at: 8_000, exit_state: 'CANCELLED' });
  });
});
