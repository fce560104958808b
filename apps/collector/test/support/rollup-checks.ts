/** What the rollup suites share: seeded randomness and comparison of answers summed in another order. */

/** A seeded generator of numbers in [0, 1): the same history every run. */
export function prng(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** A seeded shuffle: batches delivered out of order, the same way every run. */
export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Deep equality where every number agrees to 1e-9 relative (sums in another order). */
export function expectClose(actual: unknown, expected: unknown, path = '(root)'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    const scale = Math.max(Math.abs(expected), 1e-12);
    if (Math.abs(actual - expected) / scale >= 1e-9) throw new Error(`${path}: ${actual} differs from ${expected}`);
    return;
  }
  if (Array.isArray(expected)) {
    expect([path, Array.isArray(actual) ? (actual as unknown[]).length : actual]).toEqual([path, expected.length]);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}.${i}`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    expect([path, Object.keys(actual as object).sort()]).toEqual([path, Object.keys(expected).sort()]);
    for (const [k, v] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  expect([path, actual]).toEqual([path, expected]);
}
