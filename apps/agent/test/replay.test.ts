import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '../src/logger';
import { ReplaySource } from '../src/sources/replay/replay.source';
import { tempDir } from './helpers/paths';

describe('replay of a trace at a chosen speed', () => {
  it('plays ten seconds of trace in one at speed 10, energy and times those of the trace', async () => {
    const path = join(tempDir('trace'), 'trace.csv');
    const lines = ['t_ms,device,power_w,job_id'];
    for (let t = 0; t <= 10_000; t += 250)
      lines.push(`${t},gpu0,${200 + (t % 1000) / 10},${t < 5000 ? 'job-a' : 'job-b'}`, `${t},cpu0,80,`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const replay = new ReplaySource({ path, speed: 10, log: silentLogger });
    const start = 1_764_000_000_000;
    await replay.start(start);
    const half = await replay.poll(start + 500); // 5000 ms of trace
    const rest = await replay.poll(start + 1000);
    expect(replay.finished).toBe(true);
    const all = [...half, ...rest];
    expect(all.every((i) => i.t0 >= start && i.t1 <= start + 10_000 && i.t1 > i.t0)).toBe(true);
    const total = (device: string, job: string | null) =>
      all.filter((i) => i.device.id === device && i.jobId === job).reduce((s, i) => s + i.energyJ, 0);
    // gpu0 ramps 200 → 297.5 W within each second, then drops: the trapezoid of each 250 ms step, summed.
    let a = 0;
    let b = 0;
    for (let t = 0; t < 10_000; t += 250) {
      const e = ((200 + (t % 1000) / 10 + 200 + ((t + 250) % 1000) / 10) / 2) * 0.25;
      if (t < 5000) a += e;
      else b += e;
    }
    expect(total('gpu0', 'job-a')).toBeCloseTo(a, 9);
    expect(total('gpu0', 'job-b')).toBeCloseTo(b, 9);
    expect(total('cpu0', null)).toBeCloseTo(800, 9);
    expect(half.find((i) => i.device.id === 'cpu0')).toMatchObject({ t0: start, t1: start + 5000, powerW: 80 });
    const probe = await replay.probe();
    expect(probe.devices.map((d) => [d.id, d.kind, d.powerW])).toEqual([
      ['gpu0', 'gpu', 200],
      ['cpu0', 'cpu', 80],
    ]);
  });

  it('keeps epoch-millisecond times of a generated trace, and never merges across a minute', async () => {
    const path = join(tempDir('trace'), 'node.csv');
    const t0 = Date.UTC(2026, 2, 2, 8, 59, 0);
    const lines = ['t_ms,device,power_w,job_id'];
    for (let t = t0; t <= t0 + 120_000; t += 1000) lines.push(`${t},gpu0,631.95,search-1`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const replay = new ReplaySource({ path, speed: 1000, log: silentLogger });
    await replay.start(1_764_000_000_000);
    const out = await replay.poll(1_764_000_000_000 + 200);
    expect(out.map((i) => [i.t0 - t0, i.t1 - t0, i.jobId])).toEqual([
      [0, 60_000, 'search-1'],
      [60_000, 120_000, 'search-1'],
    ]);
    expect(out[0].energyJ).toBeCloseTo(631.95 * 60, 9);
  });

  it('cuts samples at every minute with the exact energy of a power ramp, on jittered off-second times (finding 13)', async () => {
    const path = join(tempDir('trace'), 'jitter.csv');
    // a seeded walk: steps of 400-1600 ms, powers ramping between 50 and 700 W, across an hour boundary
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const start = Date.UTC(2026, 2, 2, 8, 57, 13, 417);
    const points: Array<{ t: number; device: string; p: number }> = [];
    for (const device of ['gpu0', 'gpu1']) {
      for (let t = start + Math.floor(random() * 900); t < start + 300_000; t += 400 + Math.floor(random() * 1200)) {
        points.push({ t, device, p: 50 + random() * 650 });
      }
    }
    points.sort((a, b) => a.t - b.t);
    writeFileSync(path, ['t_ms,device,power_w,job_id', ...points.map((x) => `${x.t},${x.device},${x.p},job-j`)].join('\n') + '\n');

    // the truth, independently: the piecewise-linear power of each device integrated over each minute
    const truth = new Map<string, number>();
    for (const device of ['gpu0', 'gpu1']) {
      const own = points.filter((x) => x.device === device);
      for (let i = 1; i < own.length; i++) {
        const [a, b] = [own[i - 1], own[i]];
        const power = (t: number) => a.p + ((b.p - a.p) * (t - a.t)) / (b.t - a.t);
        for (let from = a.t; from < b.t;) {
          const to = Math.min(b.t, Math.floor(from / 60_000) * 60_000 + 60_000);
          const key = `${device}@${Math.floor(from / 60_000) * 60_000}`;
          truth.set(key, (truth.get(key) ?? 0) + ((power(from) + power(to)) / 2) * ((to - from) / 1000));
          from = to;
        }
      }
    }

    const replay = new ReplaySource({ path, speed: 1, log: silentLogger });
    await replay.start(1_764_000_000_000);
    const samples = [];
    for (let wall = 1_764_000_000_000 + 3_700; !replay.finished; wall += 3_700) samples.push(...(await replay.poll(wall)));
    const measured = new Map<string, number>();
    for (const s of samples) {
      const minute = Math.floor(s.t0 / 60_000) * 60_000;
      expect(s.t1).toBeLessThanOrEqual(minute + 60_000);
      const key = `${s.device.id}@${minute}`;
      measured.set(key, (measured.get(key) ?? 0) + s.energyJ);
    }
    expect([...measured.keys()].sort()).toEqual([...truth.keys()].sort());
    for (const [key, joules] of truth) expect(Math.abs(measured.get(key)! - joules) / joules).toBeLessThan(1e-9);
    expect(samples.some((s) => s.t0 % 1000 !== 0)).toBe(true);
  });
});
