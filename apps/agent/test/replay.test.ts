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
});
