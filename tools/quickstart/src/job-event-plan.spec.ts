import { JobMetadata, parseWith } from '@wattprint/protocol';
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
  const plan = planJobEvents(scenario, 'r1');

  it('publishes a start with the nodes of each job and an end unless the job is cut at the window end', () => {
    expect(plan.map((p) => [p.traceMs - T0, p.event.type, p.event.jobId, p.event.nodes])).toEqual([
      [60_000, 'start', 'train-1', ['n1', 'n2']],
      [600_000, 'start', 'serve-2', ['n1']],
      [600_000, 'end', 'train-1', undefined],
    ]);
  });

  it('carries the metadata and the trace time, ends as COMPLETED, and fits the job-events API', () => {
    expect(plan[0].event).toMatchObject({ at: T0 + 60_000, type: 'start', metadata });
    expect(plan[2].event).toMatchObject({ type: 'end', at: T0 + 600_000, exitCode: 0, exitState: 'COMPLETED' });
    for (const { event } of plan) expect(parseWith(JobMetadata.optional(), event.metadata).ok).toBe(true);
    expect(new Set(plan.map((p) => p.event.eventId)).size).toBe(plan.length);
    expect(plan.every((p) => /^[A-Za-z0-9._:@-]+$/.test(p.event.eventId))).toBe(true);
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
