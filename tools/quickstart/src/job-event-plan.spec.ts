import { JobEvent, parseWith, signed, verify } from '@wattprint/protocol';
import { planJobEvents, wallOffsetMs } from './job-event-plan';
import { parseScenario } from './scenario-file';

const T0 = Date.UTC(2026, 10, 28, 11);
const metadata = {
  name: 'resnet',
  user: 'alice',
  team: 'vision',
  project: 'imagenet',
  cluster: 'sim',
  scheduler: 'slurm' as const,
  schedulerJobId: '1',
};
const scenario = parseScenario(
  {
    startMs: T0,
    endMs: T0 + 3_600_000,
    sites: [{ id: 'paris', name: 'Paris', pue: 1.15, region: 'FR' }],
    nodes: [
      { id: 'n1', site: 'paris', devices: ['gpu0'], traceFile: 'n1.csv' },
      { id: 'n2', site: 'paris', devices: ['gpu0'], traceFile: 'n2.csv' },
    ],
    jobs: [
      {
        id: 'train-1',
        kind: 'training',
        metadata,
        startMs: T0 + 60_000,
        endMs: T0 + 600_000,
        truncated: false,
        placement: [
          { node: 'n1', devices: ['gpu0'] },
          { node: 'n2', devices: ['gpu0'] },
        ],
      },
      {
        id: 'serve-2',
        kind: 'inference',
        metadata,
        startMs: T0 + 600_000,
        endMs: T0 + 3_600_000,
        truncated: true,
        placement: [{ node: 'n1', devices: ['gpu0'] }],
      },
    ],
  },
  'scenario.json',
);

describe('planJobEvents', () => {
  const plan = planJobEvents(scenario, (node) => `agent-${node}`, 'r1');

  it('sends a start from every node a job runs on and an end unless the job is cut at the window end', () => {
    expect(plan.map((p) => [p.traceMs - T0, p.node, p.event.type, p.event.jobId])).toEqual([
      [60_000, 'n1', 'start', 'train-1'],
      [60_000, 'n2', 'start', 'train-1'],
      [600_000, 'n1', 'start', 'serve-2'],
      [600_000, 'n1', 'end', 'train-1'],
      [600_000, 'n2', 'end', 'train-1'],
    ]);
  });

  it('carries the metadata, the trace time and the node agent, and signs into a valid JobEvent', () => {
    const start = plan[0].event;
    expect(start).toMatchObject({ agentId: 'agent-n1', node: 'n1', at: T0 + 60_000, type: 'start', metadata });
    const message = signed(start, 'k'.repeat(32));
    expect(parseWith(JobEvent, message).ok).toBe(true);
    expect(verify(message, 'k'.repeat(32))).toBe(true);
    expect(new Set(plan.map((p) => p.event.eventId)).size).toBe(plan.length);
  });

  it('reaches a trace time after (trace offset / speed) of wall time', () => {
    expect(wallOffsetMs(T0 + 600_000, T0, 60)).toBe(10_000);
    expect(wallOffsetMs(T0 - 5, T0, 60)).toBe(0);
  });
});

describe('parseScenario', () => {
  it('names the bad field, the value and what was expected', () => {
    expect(() =>
      parseScenario(
        { startMs: T0, endMs: T0, sites: [{ id: 'p', name: 'P', pue: 0.5, region: 'FR' }], nodes: [], jobs: [] },
        'x/scenario.json',
      ),
    ).toThrow(/x\/scenario\.json: .*sites\.0\.pue: .*>=1.*0\.5.*nodes/);
  });
});
