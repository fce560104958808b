import type { Kysely } from 'kysely';
import type { Database, NewRow } from '@wattprint/db';
import { HOUR_MS, JOULES_PER_KWH, MINUTE_MS } from '@wattprint/carbon';

export const HOUR = HOUR_MS;
export const MINUTE = MINUTE_MS;
/** First hour of the seeded range: 10:00 UTC, a multiple of two hours since the epoch. */
export const H0 = Date.UTC(2026, 10, 20, 10);
export const H1 = H0 + HOUR;
export const KWH = JOULES_PER_KWH;

type Bucket = Omit<NewRow<'energy_buckets'>, 'hour_start' | 'samples' | 'peak_power_w'>;

/**
 * A small cluster whose figures are worked out by hand in the tests:
 * - site `fra` (region DE): PUE 1.2, then 1.5 from H0 + 30 min; DE intensity: H0 actual 300 (a
 *   forecast of 999 must lose), H1 a forecast of 200 for its first half and an actual of 100 for its
 *   second half.
 * - site `sfo` (region US-CAL-CISO, no series): PUE 1.1; intensity falls back to the US yearly average.
 * - node gpu-3 belongs to no site: PUE 1, WORLD average.
 */
export async function seedCluster(db: Kysely<Database>): Promise<void> {
  await db
    .insertInto('sites')
    .values([
      { id: 'fra', name: 'Frankfurt', region: 'DE', created_at: 0 },
      { id: 'sfo', name: 'San Francisco', region: 'US-CAL-CISO', created_at: 0 },
    ])
    .execute();
  await db
    .insertInto('site_pue')
    .values([
      { site_id: 'fra', valid_from: H0 - 10 * 24 * HOUR, pue: 1.2 },
      { site_id: 'fra', valid_from: H0 + 30 * MINUTE, pue: 1.5 },
      { site_id: 'sfo', valid_from: H0 - 10 * 24 * HOUR, pue: 1.1 },
    ])
    .execute();
  await db
    .insertInto('nodes')
    .values([
      { name: 'gpu-1', site_id: 'fra' },
      { name: 'gpu-2', site_id: 'sfo' },
    ])
    .execute();
  const period = (start: number, end: number, g: number, kind: 'actual' | 'forecast') => ({
    region: 'DE',
    period_start: start,
    period_end: end,
    g_per_kwh: g,
    source: 'test',
    kind,
    revised_at: start,
  });
  await db
    .insertInto('grid_intensity')
    .values([
      period(H0, H1, 300, 'actual'),
      period(H0, H1, 999, 'forecast'),
      period(H1, H1 + 30 * MINUTE, 200, 'forecast'),
      period(H1 + 30 * MINUTE, H1 + HOUR, 100, 'actual'),
    ])
    .execute();
  const job = (id: string, team: string | null, user: string, project: string) => ({
    id,
    state: 'ended' as const,
    inferred: 0,
    name: `${id}-name`,
    user,
    team,
    project,
    cluster: 'c1',
    first_seen_at: H0,
    last_seen_at: H1 + HOUR,
  });
  await db
    .insertInto('jobs')
    .values([job('j1', 'ml', 'alice', 'llm'), job('j2', 'vision', 'bob', "o'brien"), job('j3', null, 'carol', 'misc')])
    .execute();

  const buckets: Bucket[] = [
    // gpu-1 in fra: H0 1 kWh of j1 and 0.5 kWh idle, H1 2 kWh of j2.
    { job_id: 'j1', node: 'gpu-1', device: 'gpu0', device_kind: 'gpu', minute_start: H0, joules: 0.5 * KWH, duration_ms: MINUTE },
    {
      job_id: 'j1',
      node: 'gpu-1',
      device: 'gpu0',
      device_kind: 'gpu',
      minute_start: H0 + 45 * MINUTE,
      joules: 0.5 * KWH,
      duration_ms: MINUTE,
    },
    {
      job_id: '',
      node: 'gpu-1',
      device: 'gpu1',
      device_kind: 'gpu',
      minute_start: H0 + 40 * MINUTE,
      joules: 0.5 * KWH,
      duration_ms: MINUTE,
    },
    {
      job_id: 'j2',
      node: 'gpu-1',
      device: 'gpu0',
      device_kind: 'gpu',
      minute_start: H1 + 10 * MINUTE,
      joules: 2 * KWH,
      duration_ms: MINUTE,
    },
    // gpu-2 in sfo: H0 1 kWh of j2.
    {
      job_id: 'j2',
      node: 'gpu-2',
      device: 'gpu0',
      device_kind: 'gpu',
      minute_start: H0 + 5 * MINUTE,
      joules: 1 * KWH,
      duration_ms: MINUTE,
    },
    // gpu-3, no site: H0 1 kWh of j1 on the CPU (no GPU-hours) and 0.25 kWh of j3 on DRAM.
    {
      job_id: 'j1',
      node: 'gpu-3',
      device: 'package-0',
      device_kind: 'cpu',
      minute_start: H0 + 20 * MINUTE,
      joules: 1 * KWH,
      duration_ms: MINUTE,
    },
    {
      job_id: 'j3',
      node: 'gpu-3',
      device: 'dram-0',
      device_kind: 'dram',
      minute_start: H0 + 20 * MINUTE,
      joules: 0.25 * KWH,
      duration_ms: MINUTE,
    },
    // Outside the range [H0, H1 + 1h): must never count.
    { job_id: 'j1', node: 'gpu-1', device: 'gpu0', device_kind: 'gpu', minute_start: H0 - MINUTE, joules: 100 * KWH, duration_ms: MINUTE },
    { job_id: 'j2', node: 'gpu-1', device: 'gpu0', device_kind: 'gpu', minute_start: H1 + HOUR, joules: 100 * KWH, duration_ms: MINUTE },
  ];
  await db
    .insertInto('energy_buckets')
    .values(buckets.map((b) => ({ ...b, hour_start: Math.floor(Number(b.minute_start) / HOUR) * HOUR, samples: 60, peak_power_w: null })))
    .execute();

  // Forecasts and searches (forecasts dashboard): two outcomes in range, one outside; j3 is trial 0 of
  // search sweep-1 (0.25 kWh, all of it in range), whose forecast is 1 kWh for 4 trials.
  await db
    .insertInto('forecast_outcomes')
    .values([
      outcome('j1', 'nvidia-a100-sxm4-80gb', H0 + 30 * MINUTE, 2, 1, 2, 4),
      outcome('j2', 'nvidia-a100-sxm4-80gb', H1 + 30 * MINUTE, 3, 1, 2, 4),
      outcome('j9', 'nvidia-a100-sxm4-80gb', H0 - 2 * HOUR, 100, 1, 2, 4),
    ])
    .execute();
  await db
    .updateTable('jobs')
    .set({ labels: JSON.stringify({ 'wattprint.search': 'sweep-1', 'wattprint.trial': '0' }) })
    .where('id', '=', 'j3')
    .execute();
  await db
    .insertInto('searches')
    .values({
      id: 'sweep-1',
      name: 'sweep',
      team: 'ml',
      created_by: null,
      created_at: H0 - HOUR,
      spec: '{}',
      result: '{}',
      planned_trials: 4,
      forecast_p10_kwh: 0.5,
      forecast_p50_kwh: 1,
      forecast_p90_kwh: 2,
    })
    .execute();
}

function outcome(jobId: string, profile: string, endedAt: number, measured: number, p10: number, p50: number, p90: number) {
  return {
    job_id: jobId,
    forecast_id: `fc-${jobId}`,
    profile,
    team: null,
    ended_at: endedAt,
    measured_kwh: measured,
    forecast_p10_kwh: p10,
    forecast_p50_kwh: p50,
    forecast_p90_kwh: p90,
    recorded_at: endedAt,
  };
}
