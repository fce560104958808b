import { groupKeyOf } from '@wattprint/db';
import { type HourRow, groupHourRows, nodeHourRows } from './bucket-deltas';

const HOUR = 3_600_000;
const hour = (
  jobId: string,
  node: string,
  device: string,
  deviceKind: HourRow['deviceKind'],
  hourStart: number,
  joules: number,
): HourRow => ({
  jobId,
  node,
  device,
  deviceKind,
  hourStart,
  joules,
  samples: 2,
  durationMs: 1_500,
  peakPowerW: 300,
});

describe('nodeHourRows', () => {
  it("sums a commit's hourly rows per (hour, node, device kind), the idle job's part apart, sorted by that key", () => {
    const rows = nodeHourRows([
      hour('j2', 'node-b', 'gpu0', 'gpu', 2 * HOUR, 10),
      hour('', 'node-a', 'gpu1', 'gpu', HOUR, 0.5),
      hour('j1', 'node-a', 'gpu0', 'gpu', HOUR, 2.25),
      hour('j1', 'node-a', 'cpu0', 'cpu', HOUR, 4),
      hour('j1', 'node-a', 'gpu0', 'gpu', 2 * HOUR, 1),
      hour('j3', 'node-a\u0000x', 'gpu0', 'gpu', HOUR, 8),
    ]);
    expect(rows.map((r) => [r.hourStart / HOUR, r.node, r.deviceKind, r.joules, r.idleJoules, r.samples, r.durationMs])).toEqual([
      [1, 'node-a', 'cpu', 4, 0, 2, 1_500],
      [1, 'node-a', 'gpu', 2.75, 0.5, 4, 3_000],
      [1, 'node-a\u0000x', 'gpu', 8, 0, 2, 1_500],
      [2, 'node-a', 'gpu', 1, 0, 2, 1_500],
      [2, 'node-b', 'gpu', 10, 0, 2, 1_500],
    ]);
  });

  it('gives nothing for nothing', () => {
    expect(nodeHourRows([])).toEqual([]);
  });
});

describe('groupHourRows', () => {
  it("sums a commit's hourly rows per (hour, site, job group, device kind), the idle job and jobs without a row apart", () => {
    const vision = { team: 'vision', project: 'llm', user: 'ada', cluster: null };
    const rows = groupHourRows(
      [
        hour('j1', 'node-a', 'gpu0', 'gpu', HOUR, 2),
        hour('j2', 'node-b', 'gpu0', 'gpu', HOUR, 3), // same group, another node of the same site
        hour('', 'node-a', 'gpu1', 'gpu', HOUR, 0.5), // idle: a group of its own
        hour('j9', 'node-a', 'gpu2', 'gpu', HOUR, 7), // no jobs row: no attributes, not idle
        hour('j1', 'node-c', 'gpu0', 'gpu', 2 * HOUR, 1), // a node without a site
      ],
      new Map([
        ['node-a', 'fra'],
        ['node-b', 'fra'],
      ]),
      new Map([
        ['j1', vision],
        ['j2', vision],
      ]),
    );
    const none = { team: null, project: null, user: null, cluster: null };
    expect(rows.map((r) => [r.hourStart / HOUR, r.siteKey, r.groupKey, r.team, r.joules, r.samples])).toEqual([
      [1, 'fra', '', null, 0.5, 2],
      [1, 'fra', groupKeyOf('j9', none), null, 7, 2],
      [1, 'fra', groupKeyOf('j1', vision), 'vision', 5, 4],
      [2, '', groupKeyOf('j1', vision), 'vision', 1, 2],
    ]);
    expect(new Set(rows.map((r) => r.groupKey)).size).toBe(3);
  });
});
