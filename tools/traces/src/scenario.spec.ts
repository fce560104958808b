import { TraceOptionsError } from './errors';
import { GPU_PROFILES } from './gpu-profile';
import { TEAMS } from './people';
import { planScenario, type Scenario } from './scenario';
import type { ScenarioOptions } from './scenario-options';

const base: ScenarioOptions = {
  nodes: 4,
  gpusPerNode: 8,
  durationMs: 2 * 3_600_000,
  intervalMs: 1000,
  startMs: Date.UTC(2026, 2, 2, 8),
  seed: 7,
  profile: GPU_PROFILES.h100,
};

function deviceSpans(scenario: Scenario): Map<string, Array<{ start: number; end: number; id: string; search?: string }>> {
  const spans = new Map<string, Array<{ start: number; end: number; id: string; search?: string }>>();
  for (const job of scenario.jobs) {
    for (const p of job.placement) {
      for (const d of p.devices) {
        const key = `${p.node}/${d}`;
        spans.set(key, [
          ...(spans.get(key) ?? []),
          { start: job.startMs, end: job.endMs, id: job.id, search: job.metadata.labels?.search },
        ]);
      }
    }
  }
  for (const list of spans.values()) list.sort((a, b) => a.start - b.start);
  return spans;
}

const variants: ScenarioOptions[] = [];
for (let seed = 1; seed <= 12; seed++) {
  variants.push({ ...base, seed });
  variants.push({ ...base, seed, nodes: 1, gpusPerNode: 3, durationMs: 20 * 60_000, intervalMs: 500 });
  variants.push({ ...base, seed, nodes: 6, gpusPerNode: 4, durationMs: 26 * 3_600_000, intervalMs: 10_000 });
}

describe('planScenario', () => {
  it.each(variants.map((v) => [v.seed, v.nodes, v.gpusPerNode, v.durationMs, v.intervalMs, v] as const))(
    'seed %d, %d x %d GPUs, %d ms at %d ms: valid placements, on the grid, never two jobs on a device',
    (_seed, _n, _g, _d, _i, options) => {
      const scenario = planScenario(options);
      const nodes = new Map(scenario.nodes.map((n) => [n.id, n]));
      expect(new Set(scenario.jobs.map((j) => j.id)).size).toBe(scenario.jobs.length);
      for (const job of scenario.jobs) {
        expect(job.startMs).toBeGreaterThanOrEqual(scenario.startMs);
        expect(job.endMs).toBeLessThanOrEqual(scenario.endMs);
        expect(job.endMs).toBeGreaterThan(job.startMs);
        expect((job.startMs - scenario.startMs) % scenario.intervalMs).toBe(0);
        expect((job.endMs - scenario.startMs) % scenario.intervalMs).toBe(0);
        if (job.truncated) expect(job.endMs).toBe(scenario.endMs);
        for (const p of job.placement) {
          const node = nodes.get(p.node);
          expect(node).toBeDefined();
          for (const d of p.devices) expect(node?.devices).toContain(d);
        }
        const team = TEAMS.find((t) => t.id === job.metadata.team);
        expect(team?.users).toContain(job.metadata.user);
        expect(team?.projects).toContain(job.metadata.project);
      }
      for (const list of deviceSpans(scenario).values()) {
        for (let i = 1; i < list.length; i++) {
          expect(list[i].start).toBeGreaterThanOrEqual(list[i - 1].end);
          // Trials of one search leave the card idle between them.
          if (list[i].search && list[i].search === list[i - 1].search) {
            expect(list[i].start - list[i - 1].end).toBeGreaterThanOrEqual(2 * scenario.intervalMs);
          }
        }
      }
    },
  );

  it('puts training, a hyperparameter search of several trials and an inference service into the default cluster', () => {
    const scenario = planScenario(base);
    const kinds = new Set(scenario.jobs.map((j) => j.kind));
    expect([...kinds].sort()).toEqual(['hp-trial', 'inference', 'training']);
    const trialsPerSearch = new Map<string, number>();
    for (const job of scenario.jobs) {
      const search = job.metadata.labels?.search;
      if (search) trialsPerSearch.set(search, (trialsPerSearch.get(search) ?? 0) + 1);
    }
    expect(Math.max(...trialsPerSearch.values())).toBeGreaterThan(3);
    const users = new Set(scenario.jobs.map((j) => j.metadata.user));
    const teams = new Set(scenario.jobs.map((j) => j.metadata.team));
    expect(users.size).toBeGreaterThan(3);
    expect(teams.size).toBeGreaterThan(2);
  });

  it('runs one data-parallel training over two whole nodes of one site when there are three nodes or more', () => {
    const scenario = planScenario(base);
    const distributed = scenario.jobs.filter((j) => j.placement.length > 1);
    expect(distributed).toHaveLength(1);
    expect(distributed[0].kind).toBe('training');
    expect(distributed[0].placement).toEqual([
      { node: 'gpu-node-01', devices: scenario.nodes[0].devices },
      { node: 'gpu-node-02', devices: scenario.nodes[1].devices },
    ]);
    expect(planScenario({ ...base, nodes: 2 }).jobs.filter((j) => j.placement.length > 1)).toEqual([]);
  });

  it('spreads the nodes over two sites with different PUE and grid regions', () => {
    const scenario = planScenario(base);
    expect(scenario.sites).toHaveLength(2);
    expect(scenario.sites[0].pue).not.toBe(scenario.sites[1].pue);
    expect(scenario.sites[0].region).not.toBe(scenario.sites[1].region);
    expect(scenario.nodes.map((n) => n.site)).toEqual(['paris', 'paris', 'frankfurt', 'frankfurt']);
    expect(scenario.nodes[0]).toEqual({
      id: 'gpu-node-01',
      site: 'paris',
      devices: ['gpu0', 'gpu1', 'gpu2', 'gpu3', 'gpu4', 'gpu5', 'gpu6', 'gpu7'],
      traceFile: 'gpu-node-01.csv',
    });
  });

  it('is a pure function of its options', () => {
    expect(planScenario(base)).toEqual(planScenario(base));
    expect(planScenario({ ...base, seed: 8 }).jobs).not.toEqual(planScenario(base).jobs);
  });

  it('reports every bad option at once, naming the field, the value and what was expected', () => {
    let caught: unknown;
    try {
      planScenario({ ...base, nodes: 0, gpusPerNode: 2.5, seed: -1, profile: { ...GPU_PROFILES.h100, tdpW: 50 } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TraceOptionsError);
    const messages = (caught as TraceOptionsError).problems.map((p) => p.message);
    expect(messages).toEqual([
      'nodes: got 0; expected a whole number from 1 to 1000',
      'gpusPerNode: got 2.5; expected a whole number from 1 to 64',
      'seed: got -1; expected a whole number from 0 to 4294967295',
      'profile.tdpW: got 50; expected a power limit in watts above idle (70 W) and at most 5000',
    ]);
  });

  it('refuses a cluster too large to hold in memory, saying how many readings it would take', () => {
    expect(() => planScenario({ ...base, nodes: 1000, gpusPerNode: 8, durationMs: 86_400_000 })).toThrow(
      'durationMs: got 86400000; expected at most 100,000,000 readings in all (nodes x GPUs x instants; asked for 691,208,000)',
    );
  });

  it('refuses a window shorter than 30 intervals', () => {
    expect(() => planScenario({ ...base, durationMs: 29_000 })).toThrow('durationMs: got 29000; expected at least 30 intervals of 1000 ms');
  });
});
