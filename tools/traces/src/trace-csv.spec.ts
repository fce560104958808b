import { generateScenario } from './generate';
import { GPU_PROFILES } from './gpu-profile';
import { formatCentiwatts, TRACE_HEADER, traceCsvChunks } from './trace-csv';

describe('formatCentiwatts', () => {
  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [40, '0.40'],
    [6983, '69.83'],
    [70000, '700.00'],
  ])('writes %d cW as %s W', (cw, text) => {
    expect(formatCentiwatts(cw)).toBe(text);
    expect(Math.round(Number(text) * 100)).toBe(cw);
  });
});

describe('traceCsvChunks', () => {
  const generated = generateScenario({
    nodes: 1,
    gpusPerNode: 3,
    durationMs: 600_000,
    intervalMs: 1000,
    startMs: Date.UTC(2026, 0, 1),
    seed: 1,
    profile: GPU_PROFILES.l40s,
  });

  it('gives the same text whatever the chunk size, header once, one line per device per instant', () => {
    const whole = [...traceCsvChunks(generated.scenario, generated.grid, generated.traces[0], 1_000_000)];
    const small = [...traceCsvChunks(generated.scenario, generated.grid, generated.traces[0], 7)];
    expect(whole).toHaveLength(1);
    expect(small.length).toBeGreaterThan(100);
    expect(small.join('')).toBe(whole[0]);
    const lines = whole[0].trimEnd().split('\n');
    expect(lines.filter((l) => l === TRACE_HEADER)).toHaveLength(1);
    expect(lines).toHaveLength(1 + 601 * 3);
    expect(lines[1]).toMatch(/^1767225600000,gpu0,\d+\.\d\d,$/);
  });
});
