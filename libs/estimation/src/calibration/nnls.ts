/**
 * Non-negative least squares, min ‖Ax − b‖ subject to x ≥ 0, for the handful of unknowns the
 * energy model has. With n ≤ 12 columns the exact answer is found by trying every set of free
 * columns (the KKT solution lives on one of them), which needs no iteration tolerances.
 */
export function nnls(a: readonly number[][], b: readonly number[]): number[] {
  const n = a[0]?.length ?? 0;
  if (n > 12) throw new Error('nnls: at most 12 unknowns');
  // Columns scaled to unit norm so that J-sized and 1e-12-sized features share one numeric range.
  const norms = Array.from({ length: n }, (_, j) => Math.sqrt(a.reduce((s, row) => s + row[j] * row[j], 0)) || 1);
  const scaledA = a.map((row) => row.map((v, j) => v / norms[j]));
  let best = new Array<number>(n).fill(0);
  let bestResidual = residual(scaledA, b, best);
  for (let mask = 1; mask < 1 << n; mask++) {
    const free = Array.from({ length: n }, (_, j) => j).filter((j) => mask & (1 << j));
    const solution = leastSquares(
      scaledA.map((row) => free.map((j) => row[j])),
      b,
    );
    if (!solution || solution.some((v) => v < 0)) continue;
    const x = new Array<number>(n).fill(0);
    free.forEach((j, k) => (x[j] = solution[k]));
    const r = residual(scaledA, b, x);
    if (r < bestResidual - 1e-15 * Math.max(1, bestResidual)) {
      best = x;
      bestResidual = r;
    }
  }
  return best.map((v, j) => v / norms[j]);
}

function residual(a: readonly number[][], b: readonly number[], x: readonly number[]): number {
  let sum = 0;
  a.forEach((row, i) => {
    const r = row.reduce((s, v, j) => s + v * x[j], 0) - b[i];
    sum += r * r;
  });
  return sum;
}

/** Unconstrained least squares through the normal equations; undefined when they are singular. */
function leastSquares(a: readonly number[][], b: readonly number[]): number[] | undefined {
  const n = a[0]?.length ?? 0;
  const m: number[][] = Array.from({ length: n }, (_, i) => [
    ...Array.from({ length: n }, (_, j) => a.reduce((s, row) => s + row[i] * row[j], 0)),
    a.reduce((s, row, k) => s + row[i] * b[k], 0),
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-13) return undefined;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}
