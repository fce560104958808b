import { z } from 'zod';

/** A reference to a search-space variable, e.g. `$units`. */
export const VAR_REF = /^\$[A-Za-z_][A-Za-z0-9_]*$/;

export type NumberKind =
  'positive integer' | 'positive number' | 'non-negative number' | 'rate in [0, 1)' | 'share in (0, 1]' | 'number ≥ 1';

const checks: Record<NumberKind, (v: number) => boolean> = {
  'positive integer': (v) => Number.isInteger(v) && v > 0,
  'positive number': (v) => Number.isFinite(v) && v > 0,
  'non-negative number': (v) => Number.isFinite(v) && v >= 0,
  'rate in [0, 1)': (v) => Number.isFinite(v) && v >= 0 && v < 1,
  'share in (0, 1]': (v) => Number.isFinite(v) && v > 0 && v <= 1,
  'number ≥ 1': (v) => Number.isFinite(v) && v >= 1,
};

export function satisfies(kind: NumberKind, value: unknown): value is number {
  return typeof value === 'number' && checks[kind](value);
}

/** A plain number of the given kind. */
export function num(kind: NumberKind) {
  return z.custom<number>((v) => satisfies(kind, v), { error: `expected a ${kind}` });
}

/** A number of the given kind, or a `$name` bound by search.space (checked against the space later). */
export function bindable(kind: NumberKind) {
  return z.custom<number | string>((v) => satisfies(kind, v) || (typeof v === 'string' && VAR_REF.test(v)), {
    error: `expected a ${kind} or a $name from search.space`,
  });
}

/** Either one bindable number or a [height, width] pair of them (kernel, stride, pool). */
export function bindablePair(kind: NumberKind) {
  return z.union([bindable(kind), z.tuple([bindable(kind), bindable(kind)])], {
    error: `expected a ${kind}, a $name, or a [height, width] pair of them`,
  });
}
