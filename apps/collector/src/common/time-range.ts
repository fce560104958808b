import type { z } from 'zod';

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The refinement of a query's `from` and `to` (epoch ms once parsed): `to` after `from`, and at most
 * `maxMs` after it when given. zod runs an object's refinement even when a field's own check failed,
 * with that field's raw text, so it looks only at values that parsed: `from=b&to=a` is two problems
 * of form, not a crash.
 */
export function timeRangeCheck(maxMs?: number, maxText?: string) {
  return (q: { from?: unknown; to?: unknown }, ctx: z.RefinementCtx): void => {
    const { from, to } = q;
    if (typeof from !== 'number' || typeof to !== 'number' || !Number.isFinite(from) || !Number.isFinite(to)) return;
    if (to <= from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `expected a time after from (${iso(from)})`, input: iso(to) });
    } else if (maxMs !== undefined && to - from > maxMs) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `expected a range of at most ${maxText ?? `${maxMs} ms`} after from`,
        input: iso(to),
      });
    }
  };
}
