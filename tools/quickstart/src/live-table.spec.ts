import type { JobSummary } from './live-table';
import { pickJobRows, powerNowW, renderTable, sitesTotals } from './live-table';

const job = (id: string, state: JobSummary['state'], energyKWh: number, lastSeenAt = '2026-11-28T11:05:00.000Z'): JobSummary => ({
  id,
  name: null,
  user: 'alice',
  team: 'vision',
  state,
  lastSeenAt,
  energyKWh,
  co2eqKg: energyKWh * 0.1,
});

describe('powerNowW', () => {
  const timeline = [
    { minute: '2026-11-28T11:02:00.000Z', energyKWh: 0.01, meanPowerW: 600 },
    { minute: '2026-11-28T11:03:00.000Z', energyKWh: 0.02, meanPowerW: 1200 },
    { minute: '2026-11-28T11:04:00.000Z', energyKWh: 0.001, meanPowerW: 60 },
  ];
  it('is the latest minute that ends by the last sample, not the one still filling', () => {
    expect(powerNowW(timeline, '2026-11-28T11:04:30.000Z')).toBe(1200);
    expect(powerNowW(timeline, '2026-11-28T11:05:00.000Z')).toBe(60);
  });
  it('is unknown before a first minute is complete', () => {
    expect(powerNowW(timeline, '2026-11-28T11:02:59.000Z')).toBeNull();
    expect(powerNowW([], '2026-11-28T11:05:00.000Z')).toBeNull();
  });
});

describe('the live table', () => {
  const jobs = [
    job('e-old', 'ended', 5, '2026-11-28T11:01:00.000Z'),
    job('r-small', 'running', 0.5),
    job('e-new', 'ended', 1, '2026-11-28T11:04:00.000Z'),
    job('r-big', 'running', 2),
  ];

  it('shows running jobs first, most energy first, then the latest ended, up to the row limit', () => {
    expect(pickJobRows(jobs, 3)).toEqual({ rows: [jobs[3], jobs[1], jobs[2]], more: 1 });
  });

  it('adds up each site over days', () => {
    expect(
      sitesTotals([
        { key: 'paris', energyKWh: 1, facilityEnergyKWh: 1.15, co2eqKg: 0.05 },
        { key: 'frankfurt', energyKWh: 2, facilityEnergyKWh: 2.84, co2eqKg: 1 },
        { key: 'paris', energyKWh: 3, facilityEnergyKWh: 3.45, co2eqKg: 0.15 },
      ]),
    ).toEqual([
      { key: 'frankfurt', energyKWh: 2, facilityEnergyKWh: 2.84, co2eqKg: 1 },
      { key: 'paris', energyKWh: 4, facilityEnergyKWh: 4.6, co2eqKg: 0.2 },
    ]);
  });

  it('renders plain aligned lines: progress, sites, jobs with power now, a count', () => {
    const T0 = Date.parse('2026-11-28T11:00:00.000Z');
    const lines = renderTable({
      jobs,
      powerW: new Map([
        ['r-big', 2400.4],
        ['r-small', null],
      ]),
      sites: [{ key: 'paris', energyKWh: 8.5, facilityEnergyKWh: 9.775, co2eqKg: 0.425 }],
      traceStartMs: T0,
      traceEndMs: T0 + 3_600_000,
      traceNowMs: T0 + 900_000,
      speed: 60,
      maxRows: 3,
    });
    expect(lines).toEqual([
      'replay at 11:15:00 UTC (x60), 25 % of the trace',
      '',
      'site   energy kWh  facility kWh  CO2eq kg',
      '-----  ----------  ------------  --------',
      'paris       8.500         9.775     0.425',
      '',
      'job      user   team    state    energy kWh  CO2eq kg  power now',
      '-------  -----  ------  -------  ----------  --------  ---------',
      'r-big    alice  vision  running       2.000     0.200    2,400 W',
      'r-small  alice  vision  running       0.500     0.050          -',
      'e-new    alice  vision  ended         1.000     0.100          -',
      '4 jobs, 2 running; 1 more not shown',
    ]);
    expect(lines.join('\n')).not.toContain('\x1b');
  });
});
