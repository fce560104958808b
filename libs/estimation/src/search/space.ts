import type { CostVariable } from '../spec/bindings';
import { mulberry32 } from './prng';

/** Beyond this many distinct cost-relevant points, random-style strategies sample the space. */
export const MAX_ENUMERATED_POINTS = 100_000;

/** The points of the space that differ in cost, in mixed-radix order, or a seeded sample of them. */
export interface CostPoints {
  bindings: Record<string, number>[];
  /** Points of the cost-relevant space (the product of the variables' list lengths). */
  total: number;
  sampled: boolean;
}

function bindingAt(variables: readonly CostVariable[], index: number): Record<string, number> {
  const binding: Record<string, number> = {};
  let rest = index;
  for (const v of variables) {
    binding[v.name] = v.values[rest % v.values.length];
    rest = Math.floor(rest / v.values.length);
  }
  return binding;
}

export function costPoints(variables: readonly CostVariable[], seed: number, limit = MAX_ENUMERATED_POINTS): CostPoints {
  const total = variables.reduce((n, v) => n * v.values.length, 1);
  if (total <= limit) {
    return { bindings: Array.from({ length: total }, (_, i) => bindingAt(variables, i)), total, sampled: false };
  }
  const random = mulberry32(seed ^ 0x9e3779b9);
  return { bindings: Array.from({ length: limit }, () => bindingAt(variables, Math.floor(random() * total))), total, sampled: true };
}
