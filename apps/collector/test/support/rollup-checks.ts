/** What the rollup suites share: seeded randomness and comparison of answers summed in another order. */
import type { Database } from '@wattprint/db';
import type { Kysely } from 'kysely';

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

/** The rows of energy_job_total, numbers as numbers, ordered by job. */
type JobTotal = { job_id: string; site_key: string | null; team: string | null; project: string | null } & Record<
  'first_day' | 'last_day' | 'joules' | 'gpu_ms' | 'facility_joules' | 'grams',
  number
>;

/**
 * energy_job_total equals each job's daily rows summed here, in JS, from scratch: the totals the
 * derivation and retention keep job by job never drift from the rows they sum (migration 0019), nor
 * their counts from the totals (migration 0021).
 */
export async function expectJobTotalsOfDailyRows(db: Kysely<Database>): Promise<void> {
  const expected = new Map<string, JobTotal>();
  for (const r of await db.selectFrom('energy_job_daily').selectAll().where('job_id', '<>', '').orderBy('day_start').execute()) {
    const t = expected.get(r.job_id);
    const day = Number(r.day_start);
    if (t === undefined) {
      expected.set(r.job_id, {
        job_id: r.job_id,
        site_key: r.site_key,
        team: r.team,
        project: r.project,
        first_day: day,
        last_day: day,
        joules: r.joules,
        gpu_ms: Number(r.gpu_ms),
        facility_joules: r.facility_joules,
        grams: r.grams,
      });
      continue;
    }
    if (t.site_key !== r.site_key) t.site_key = null;
    t.team = maxOf(t.team, r.team);
    t.project = maxOf(t.project, r.project);
    t.last_day = day;
    t.joules += r.joules;
    t.gpu_ms += Number(r.gpu_ms);
    t.facility_joules += r.facility_joules;
    t.grams += r.grams;
  }
  const actual = (await db.selectFrom('energy_job_total').selectAll().orderBy('job_id').execute()).map((r) => ({
    ...r,
    first_day: Number(r.first_day),
    last_day: Number(r.last_day),
    gpu_ms: Number(r.gpu_ms),
  }));
  expectClose(
    actual,
    [...expected.values()].sort((a, b) => (a.job_id < b.job_id ? -1 : 1)),
  );
  // and energy_job_count_daily counts those totals (migration 0021): the jobs on one site by first day,
  // site, team and project, no row at zero
  const counts = new Map<string, number>();
  for (const t of expected.values())
    if (t.site_key !== null) {
      const key = JSON.stringify([t.first_day, t.site_key, t.team, t.project]);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  const counted = await db.selectFrom('energy_job_count_daily').select(['first_day', 'site_key', 'team', 'project', 'jobs']).execute();
  expect(new Map(counted.map((c) => [JSON.stringify([Number(c.first_day), c.site_key, c.team, c.project]), Number(c.jobs)]))).toEqual(
    counts,
  );
  expect(counted).toHaveLength(counts.size);
}

/** SQL's MAX of two texts: NULL ignored (the days of a job derived since its team changed all agree). */
const maxOf = (a: string | null, b: string | null) => (a === null ? b : b === null || b < a ? a : b);
