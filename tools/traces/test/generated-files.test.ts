import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../src/cli';
import type { Scenario } from '../src/scenario';
import type { Truth } from '../src/truth';
import { byDevice, IDLE, integrate, readTrace, relativeError, type Integral, type TraceLine } from './trace-reader';

/** Runs the real CLI into a fresh folder and reads back what it wrote. */
function generate(args: string[]): { dir: string; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'wattprint-traces-'));
  let out = '';
  const code = main(['--out', dir, ...args], { write: (s: string) => (out += s) }, { write: (s: string) => (out += s) });
  expect(code).toBe(0);
  return { dir, out };
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

const UNITS_PER_JOULE = 200_000;

describe.each([
  { label: '4 nodes x 8 H100, 2 h at 1 s', args: ['--nodes', '4', '--gpus', '8', '--duration', '2h', '--interval', '1s', '--seed', '7'] },
  {
    label: '3 nodes x 4 A100, 6 h at 5 s',
    args: ['--nodes', '3', '--gpus', '4', '--duration', '6h', '--interval', '5s', '--seed', '2024', '--profile', 'a100'],
  },
])('files written for $label', ({ args }) => {
  let dir: string;
  let scenario: Scenario;
  let truth: Truth;
  const traces = new Map<string, TraceLine[]>();
  const integrals = new Map<string, Map<string, Integral>>();

  beforeAll(() => {
    dir = generate([...args, '--start', '2026-03-02T08:00:00Z', '--quiet']).dir;
    scenario = readJson<Scenario>(join(dir, 'scenario.json'));
    truth = readJson<Truth>(join(dir, 'truth.json'));
    for (const node of scenario.nodes) {
      const lines = readTrace(join(dir, node.traceFile));
      traces.set(node.id, lines);
      integrals.set(node.id, integrate(lines));
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes one trace per node plus scenario.json, truth.json and intensity.csv', () => {
    expect(readdirSync(dir).sort()).toEqual(
      [...scenario.nodes.map((n) => n.traceFile), 'intensity.csv', 'scenario.json', 'truth.json'].sort(),
    );
  });

  it('has one line per device per instant, instants in order on the grid, every device every time', () => {
    for (const node of scenario.nodes) {
      const lines = traces.get(node.id) as TraceLine[];
      const count = (scenario.endMs - scenario.startMs) / scenario.intervalMs + 1;
      expect(lines).toHaveLength(count * node.devices.length);
      const misplaced = lines.filter(
        (line, i) =>
          line.t !== scenario.startMs + Math.floor(i / node.devices.length) * scenario.intervalMs ||
          line.device !== node.devices[i % node.devices.length],
      );
      expect(misplaced).toEqual([]);
    }
  });

  it('keeps power within [0, TDP] and within 10 % of the idle figure when no job runs', () => {
    const { idleW, tdpW } = scenario.profile;
    for (const lines of traces.values()) {
      const outOfRange = lines.filter((l) => Number(l.powerText) < 0 || Number(l.powerText) > tdpW);
      expect(outOfRange).toEqual([]);
      const idleOff = lines.filter((l) => l.jobId === null && Math.abs(Number(l.powerText) - idleW) > idleW * 0.1);
      expect(idleOff).toEqual([]);
    }
  });

  it('labels each line with the job the scenario placed on that device at that instant', () => {
    const holder = new Map<string, Scenario['jobs']>();
    for (const job of scenario.jobs) {
      for (const p of job.placement)
        for (const d of p.devices) holder.set(`${p.node}/${d}`, [...(holder.get(`${p.node}/${d}`) ?? []), job]);
    }
    for (const [node, lines] of traces) {
      const mislabelled = lines.filter((line) => {
        const running = (holder.get(`${node}/${line.device}`) ?? []).filter((j) => j.startMs <= line.t && line.t < j.endMs);
        return running.length > 1 || line.jobId !== (running[0]?.id ?? null);
      });
      expect(mislabelled).toEqual([]);
    }
  });

  it('never places two jobs on one device at the same time', () => {
    const spans = new Map<string, Array<[number, number, string]>>();
    for (const job of scenario.jobs) {
      expect(job.endMs).toBeGreaterThan(job.startMs);
      for (const p of job.placement) {
        for (const d of p.devices) spans.set(`${p.node}/${d}`, [...(spans.get(`${p.node}/${d}`) ?? []), [job.startMs, job.endMs, job.id]]);
      }
    }
    for (const list of spans.values()) {
      list.sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < list.length; i++) expect(list[i][0]).toBeGreaterThanOrEqual(list[i - 1][1]);
    }
  });

  it('states truth per device, job and idle that equals an independent re-integration of the CSV', () => {
    for (const node of scenario.nodes) {
      const integral = integrals.get(node.id) as Map<string, Integral>;
      for (const device of node.devices) {
        const expected = integral.get(device) as Integral;
        const stated = truth.nodes[node.id].devices[device];
        for (const [key, exact] of expected.exactUnits) {
          const statedJ = key === IDLE ? stated.idleJ : stated.jobs[key];
          // The stated value is the exact integral rounded once: within one float64 rounding of it.
          expect(relativeError(statedJ * UNITS_PER_JOULE, Number(exact))).toBeLessThan(1e-15);
          // Plain float64 summation in time order lands within float noise of it.
          expect(relativeError(statedJ, expected.floatJ.get(key) as number)).toBeLessThan(1e-12);
        }
        const keys = [...expected.exactUnits.keys()].filter((k) => k !== IDLE).sort();
        expect(Object.keys(stated.jobs).sort()).toEqual(keys);
      }
    }
  });

  it('states per-job and per-node totals equal to the re-integrated CSV, and idle + jobs = node total', () => {
    const jobUnits = new Map<string, bigint>();
    const jobNodeUnits = new Map<string, bigint>();
    for (const node of scenario.nodes) {
      let nodeUnits = 0n;
      let idleUnits = 0n;
      let jobsUnits = 0n;
      for (const integral of (integrals.get(node.id) as Map<string, Integral>).values()) {
        for (const [key, units] of integral.exactUnits) {
          nodeUnits += units;
          if (key === IDLE) idleUnits += units;
          else {
            jobsUnits += units;
            jobUnits.set(key, (jobUnits.get(key) ?? 0n) + units);
            jobNodeUnits.set(`${key}@${node.id}`, (jobNodeUnits.get(`${key}@${node.id}`) ?? 0n) + units);
          }
        }
      }
      const stated = truth.nodes[node.id];
      expect(relativeError(stated.totalJ * UNITS_PER_JOULE, Number(nodeUnits))).toBeLessThan(1e-15);
      expect(relativeError(stated.idleJ * UNITS_PER_JOULE, Number(idleUnits))).toBeLessThan(1e-15);
      expect(idleUnits + jobsUnits).toBe(nodeUnits);
      const statedJobs = Object.values(stated.jobs).reduce((a, b) => a + b, 0);
      expect(relativeError(stated.idleJ + statedJobs, stated.totalJ)).toBeLessThan(1e-12);
      expect(stated.idleJ).toBeGreaterThan(0);
    }
    for (const job of scenario.jobs) {
      const units = jobUnits.get(job.id) ?? 0n;
      expect(relativeError(truth.jobs[job.id].energyJ * UNITS_PER_JOULE, Number(units))).toBeLessThan(1e-15);
      expect(Object.keys(truth.jobs[job.id].nodes).sort()).toEqual(job.placement.map((p) => p.node).sort());
      for (const [node, joules] of Object.entries(truth.jobs[job.id].nodes)) {
        expect(relativeError(joules * UNITS_PER_JOULE, Number(jobNodeUnits.get(`${job.id}@${node}`)))).toBeLessThan(1e-15);
      }
    }
    const cluster = Object.values(truth.nodes).reduce((a, n) => a + n.totalJ, 0);
    expect(relativeError(truth.clusterJ, cluster)).toBeLessThan(1e-12);
  });

  it('shows evaluation dips exactly one configured epoch apart in every finished training job', () => {
    const trainings = scenario.jobs.flatMap((job) =>
      job.shape.kind !== 'inference' && !job.truncated && (job.endMs - job.startMs - job.shape.warmupMs) / job.shape.epochMs >= 3
        ? [{ job, shape: job.shape }]
        : [],
    );
    expect(trainings.length).toBeGreaterThan(0);
    for (const { job, shape } of trainings) {
      const { node, devices } = job.placement[0];
      const points = (byDevice(traces.get(node) as TraceLine[]).get(devices[0]) as TraceLine[]).filter(
        (l) => l.jobId === job.id && l.t >= job.startMs + shape.warmupMs,
      );
      const watts = points.map((p) => Number(p.powerText)).sort((a, b) => a - b);
      const threshold = (watts[Math.floor(watts.length * 0.02)] + watts[Math.floor(watts.length * 0.75)]) / 2;
      const dipStarts = points
        .filter((p, i) => Number(p.powerText) < threshold && (i === 0 || Number(points[i - 1].powerText) >= threshold))
        .map((p) => p.t);
      const epochs = (job.endMs - job.startMs - shape.warmupMs) / shape.epochMs;
      expect(dipStarts).toHaveLength(epochs);
      expect(dipStarts[0] - job.startMs).toBe(shape.warmupMs + shape.epochMs - shape.evalMs);
      for (let i = 1; i < dipStarts.length; i++) expect(dipStarts[i] - dipStarts[i - 1]).toBe(shape.epochMs);
    }
  });

  it('writes an hourly intensity series per region of the sites covering the whole window', () => {
    const lines = readFileSync(join(dir, 'intensity.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('region,start,end,g_per_kwh');
    const rows = lines.slice(1).map((l) => l.split(','));
    for (const region of new Set(scenario.sites.map((s) => s.region))) {
      const mine = rows.filter((r) => r[0] === region);
      expect(Date.parse(mine[0][1])).toBeLessThanOrEqual(scenario.startMs);
      expect(Date.parse(mine[mine.length - 1][2])).toBeGreaterThan(scenario.endMs);
      mine.forEach((r, i) => {
        expect(Date.parse(r[2]) - Date.parse(r[1])).toBe(3_600_000);
        if (i > 0) expect(r[1]).toBe(mine[i - 1][2]);
        expect(Number(r[3])).toBeGreaterThan(0);
      });
    }
  });
});

describe('reproducibility', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const run = (seed: string) => {
    const { dir } = generate([
      '--nodes',
      '2',
      '--gpus',
      '4',
      '--duration',
      '1h',
      '--seed',
      seed,
      '--start',
      '2026-06-01T00:00:00Z',
      '--quiet',
    ]);
    dirs.push(dir);
    return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
  };

  it('writes byte-identical files for the same seed and different traces for another seed', () => {
    const first = run('11');
    const second = run('11');
    const other = run('12');
    expect(Object.keys(first).sort()).toEqual(Object.keys(second).sort());
    for (const name of Object.keys(first)) expect(second[name]).toBe(first[name]);
    expect(other['gpu-node-01.csv']).not.toBe(first['gpu-node-01.csv']);
    expect(other['truth.json']).not.toBe(first['truth.json']);
  });
});

describe('command line', () => {
  it('prints a summary table with every job, the nodes and the cluster total', () => {
    const { dir, out } = generate(['--nodes', '2', '--gpus', '2', '--duration', '30m', '--seed', '3', '--start', '2026-06-01T00:00:00Z']);
    try {
      const scenario = readJson<Scenario>(join(dir, 'scenario.json'));
      expect(out).toMatch(/^job\s+kind\s+user\s+team\s+project\s+placement\s+start\s+length\s+kWh$/m);
      for (const job of scenario.jobs) expect(out).toContain(job.metadata.labels?.search ?? job.id);
      expect(out).toMatch(/^gpu-node-02\s+frankfurt\s+DE PUE 1\.42\s+2\s+[\d.]+/m);
      expect(out).toMatch(/^cluster [\d.]+ kWh, of which idle [\d.]+ kWh/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects bad flags all at once, naming each flag, the value and what was expected, and writes nothing', () => {
    const dir = join(tmpdir(), `wattprint-traces-bad-${process.pid}`);
    let err = '';
    const code = main(
      ['--out', dir, '--nodes', 'four', '--interval', '0s', '--start', '2026-13-45', '--tdp-w', '-5'],
      { write: () => true },
      { write: (s: string) => (err += s) },
    );
    expect(code).toBe(2);
    expect(err).toContain('error: --nodes: got "four"; expected a whole number from 1 to 1000');
    expect(err).toContain('error: --interval: got "0s"; expected a duration above zero');
    expect(err).toContain('error: --start: got "2026-13-45"; expected an ISO 8601 time with a zone');
    expect(err).toContain('error: --tdp-w: got "-5"; expected a power in watts');
    expect(() => readdirSync(dir)).toThrow();
  });
});

describe('output folder', () => {
  it('says which folder cannot be written and why, with exit code 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wattprint-traces-file-'));
    const notAFolder = join(dir, 'plain-file');
    writeFileSync(notAFolder, 'x');
    let err = '';
    try {
      const code = main(
        ['--out', notAFolder, '--nodes', '1', '--gpus', '1', '--duration', '1m'],
        { write: () => true },
        { write: (s: string) => (err += s) },
      );
      expect(code).toBe(1);
      expect(err).toContain(`error: --out: cannot write into ${JSON.stringify(notAFolder)} (EEXIST`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
