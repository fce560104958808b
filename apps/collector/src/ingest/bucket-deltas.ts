import type { BucketDelta } from './minute-split';
import { HOUR_MS } from '@wattprint/carbon';
import { IDLE_JOB_ID, type JobGroup, NO_GROUP, groupKeyOf } from '@wattprint/db';

/** One row per bucket key, so a commit upserts each bucket once however many samples it got. */
export type BucketRow = BucketDelta;

function keyOf(d: Pick<BucketDelta, 'jobId' | 'node' | 'device' | 'minuteStart'>): string {
  // NUL separates the parts: it never appears in ids or node names, so distinct keys never collide.
  return `${d.jobId}\u0000${d.node}\u0000${d.device}\u0000${d.minuteStart}`;
}

function maxPower(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** Up to this many rows a linear scan finds a row faster than building a key string for a map. */
const LINEAR_SCAN_ROWS = 32;

/**
 * Accumulates the deltas of one batch into one row per bucket key. A batch makes few rows (8 GPUs
 * over 5 s: 8, or 16 across a minute boundary), so they are found by a scan that allocates
 * nothing; past LINEAR_SCAN_ROWS (an unusually wide batch) a map keyed by string takes over.
 */
export class BucketAccumulator {
  private readonly list: BucketRow[] = [];
  private byKey: Map<string, BucketRow> | undefined;

  add(deltas: readonly BucketDelta[]): void {
    for (const d of deltas)
      this.addPiece(d.jobId, d.node, d.device, d.deviceKind, d.minuteStart, d.joules, d.samples, d.durationMs, d.peakPowerW);
  }

  /** Adds one delta given by its fields, so a caller need not build a BucketDelta for it. */
  addPiece(
    jobId: string,
    node: string,
    device: string,
    deviceKind: BucketDelta['deviceKind'],
    minuteStart: number,
    joules: number,
    samples: number,
    durationMs: number,
    peakPowerW: number | null,
  ): void {
    const row = this.find(jobId, node, device, minuteStart);
    if (row === undefined) {
      const added: BucketRow = { jobId, node, device, deviceKind, minuteStart, joules, samples, durationMs, peakPowerW };
      this.list.push(added);
      if (this.byKey !== undefined) this.byKey.set(keyOf(added), added);
      else if (this.list.length > LINEAR_SCAN_ROWS) this.byKey = new Map(this.list.map((r) => [keyOf(r), r]));
    } else {
      row.joules += joules;
      row.samples += samples;
      row.durationMs += durationMs;
      row.peakPowerW = maxPower(row.peakPowerW, peakPowerW);
    }
  }

  private find(jobId: string, node: string, device: string, minuteStart: number): BucketRow | undefined {
    if (this.byKey !== undefined) return this.byKey.get(keyOf({ jobId, node, device, minuteStart }));
    // from the end: the samples of a batch come device after device, so the row is usually near
    for (let i = this.list.length - 1; i >= 0; i--) {
      const r = this.list[i];
      if (r.minuteStart === minuteStart && r.device === device && r.jobId === jobId && r.node === node) return r;
    }
    return undefined;
  }

  /** The rows in the order their keys were first seen. */
  rows(): BucketRow[] {
    return this.list.slice();
  }
}

/** Orders bucket rows by key: job, node, device, minute. */
function compareKeys(a: BucketRow, b: BucketRow): number {
  if (a.jobId !== b.jobId) return a.jobId < b.jobId ? -1 : 1;
  if (a.node !== b.node) return a.node < b.node ? -1 : 1;
  if (a.device !== b.device) return a.device < b.device ? -1 : 1;
  return a.minuteStart - b.minuteStart;
}

/**
 * The rows of a group of batches (each batch's rows already one per key) as one row per key,
 * sorted by key. Every collector writes bucket rows in this one order, so two transactions that
 * touch overlapping buckets lock them in the same order and cannot deadlock. Sorting and then
 * merging neighbours costs no key string per row, unlike a map. The batches' rows are left as
 * they are: a group that fails is retried batch by batch with them.
 */
export function mergeBatchRows(batches: ReadonlyArray<{ buckets: readonly BucketRow[] }>): BucketRow[] {
  const all: BucketRow[] = [];
  for (const b of batches) for (const row of b.buckets) all.push(row);
  all.sort(compareKeys);
  const merged: BucketRow[] = [];
  for (const row of all) {
    const last = merged[merged.length - 1];
    if (last === undefined || compareKeys(last, row) !== 0) {
      merged.push(row);
      continue;
    }
    merged[merged.length - 1] = {
      ...last,
      joules: last.joules + row.joules,
      samples: last.samples + row.samples,
      durationMs: last.durationMs + row.durationMs,
      peakPowerW: maxPower(last.peakPowerW, row.peakPowerW),
    };
  }
  return merged;
}

/** Jobs seen in samples: the earliest and latest sample time per job id (idle excluded). */
export interface SeenJob {
  jobId: string;
  firstSeenAt: number;
  lastSeenAt: number;
}

export function mergeSeenJobs(jobs: Iterable<SeenJob>): SeenJob[] {
  const byId = new Map<string, SeenJob>();
  for (const j of jobs) {
    const seen = byId.get(j.jobId);
    if (seen === undefined) byId.set(j.jobId, { ...j });
    else {
      seen.firstSeenAt = Math.min(seen.firstSeenAt, j.firstSeenAt);
      seen.lastSeenAt = Math.max(seen.lastSeenAt, j.lastSeenAt);
    }
  }
  return [...byId.values()].sort((a, b) => (a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0));
}

/** What a commit adds to one hourly row: the minute rows of its hour, summed. */
export interface HourRow {
  jobId: string;
  node: string;
  device: string;
  deviceKind: BucketRow['deviceKind'];
  hourStart: number;
  joules: number;
  samples: number;
  durationMs: number;
  peakPowerW: number | null;
}

/**
 * The hourly rows of merged minute rows (sorted by key, as mergeBatchRows returns them): the minutes
 * of one (job, node, device, hour) are neighbours, so one pass sums them, and the result is sorted
 * by key too — the lock order of the hourly upsert.
 */
export function hourRows(minuteRows: readonly BucketRow[]): HourRow[] {
  const hours: HourRow[] = [];
  for (const r of minuteRows) {
    const hourStart = Math.floor(r.minuteStart / HOUR_MS) * HOUR_MS;
    const last = hours[hours.length - 1];
    if (last !== undefined && last.hourStart === hourStart && last.device === r.device && last.node === r.node && last.jobId === r.jobId) {
      last.joules += r.joules;
      last.samples += r.samples;
      last.durationMs += r.durationMs;
      last.peakPowerW = maxPower(last.peakPowerW, r.peakPowerW);
      continue;
    }
    hours.push({
      jobId: r.jobId,
      node: r.node,
      device: r.device,
      deviceKind: r.deviceKind,
      hourStart,
      joules: r.joules,
      samples: r.samples,
      durationMs: r.durationMs,
      peakPowerW: r.peakPowerW,
    });
  }
  return hours;
}

/** What a commit adds to one row of energy_node_hourly: its hourly rows of one (hour, node, device kind), summed. */
export interface NodeHourRow {
  hourStart: number;
  node: string;
  deviceKind: BucketRow['deviceKind'];
  joules: number;
  /** The part of joules of the idle job. */
  idleJoules: number;
  samples: number;
  durationMs: number;
}

const nodeHourKey = (r: { hourStart: number; node: string; deviceKind: string }) => `${r.hourStart}\u0000${r.node}\u0000${r.deviceKind}`;

/**
 * The energy_node_hourly rows of hourly rows, sorted by (hour, node, device kind): the table's key,
 * and so the order every commit locks them in (two commits adding to the same node-hours in other
 * orders could deadlock).
 */
export function nodeHourRows(hours: readonly HourRow[]): NodeHourRow[] {
  const byKey = new Map<string, NodeHourRow>();
  for (const h of hours) {
    const key = nodeHourKey(h);
    const row = byKey.get(key);
    const idle = h.jobId === IDLE_JOB_ID ? h.joules : 0;
    if (row === undefined) {
      byKey.set(key, {
        hourStart: h.hourStart,
        node: h.node,
        deviceKind: h.deviceKind,
        joules: h.joules,
        idleJoules: idle,
        samples: h.samples,
        durationMs: h.durationMs,
      });
    } else {
      row.joules += h.joules;
      row.idleJoules += idle;
      row.samples += h.samples;
      row.durationMs += h.durationMs;
    }
  }
  return [...byKey.values()].sort(byHourNodeKind);
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function byHourNodeKind(a: NodeHourRow, b: NodeHourRow): number {
  return a.hourStart - b.hourStart || compareText(a.node, b.node) || compareText(a.deviceKind, b.deviceKind);
}

/**
 * The energy_site_hourly rows of a commit's node rows: each node's rows under its site's key (`siteOf`,
 * '' for a node without a site or without a nodes row), summed and sorted by (hour, site key, kind),
 * the lock order. The key travels in `node`, the column the dialect's upsert writes it to.
 */
export function siteHourRows(nodeRows: readonly NodeHourRow[], siteOf: ReadonlyMap<string, string | null>): NodeHourRow[] {
  const byKey = new Map<string, NodeHourRow>();
  for (const r of nodeRows) {
    const site = siteOf.get(r.node) ?? '';
    const key = nodeHourKey({ hourStart: r.hourStart, node: site, deviceKind: r.deviceKind });
    const row = byKey.get(key);
    if (row === undefined) byKey.set(key, { ...r, node: site });
    else {
      row.joules += r.joules;
      row.idleJoules += r.idleJoules;
      row.samples += r.samples;
      row.durationMs += r.durationMs;
    }
  }
  return [...byKey.values()].sort(byHourNodeKind);
}

/** What a commit adds to one row of energy_group_hourly. */
export interface GroupHourRow extends JobGroup {
  hourStart: number;
  siteKey: string;
  groupKey: string;
  deviceKind: BucketRow['deviceKind'];
  joules: number;
  samples: number;
  durationMs: number;
}

/**
 * The energy_group_hourly rows of a commit's hourly rows: each under its node's site key (`siteOf`, ''
 * for none) and its job's group (`groupOf`; a job without a row has none, the idle job is a group of
 * its own), summed and sorted by the table's key, the lock order.
 */
export function groupHourRows(
  hours: readonly HourRow[],
  siteOf: ReadonlyMap<string, string | null>,
  groupOf: ReadonlyMap<string, JobGroup>,
): GroupHourRow[] {
  const byKey = new Map<string, GroupHourRow>();
  for (const h of hours) {
    const group = h.jobId === IDLE_JOB_ID ? NO_GROUP : (groupOf.get(h.jobId) ?? NO_GROUP);
    const siteKey = siteOf.get(h.node) ?? '';
    const groupKey = groupKeyOf(h.jobId, group);
    const key = `${h.hourStart}\u0000${siteKey}\u0000${groupKey}\u0000${h.deviceKind}`;
    const row = byKey.get(key);
    if (row === undefined) {
      byKey.set(key, {
        ...group,
        hourStart: h.hourStart,
        siteKey,
        groupKey,
        deviceKind: h.deviceKind,
        joules: h.joules,
        samples: h.samples,
        durationMs: h.durationMs,
      });
    } else {
      row.joules += h.joules;
      row.samples += h.samples;
      row.durationMs += h.durationMs;
    }
  }
  return [...byKey.values()].sort(
    (a, b) =>
      a.hourStart - b.hourStart ||
      compareText(a.siteKey, b.siteKey) ||
      compareText(a.groupKey, b.groupKey) ||
      compareText(a.deviceKind, b.deviceKind),
  );
}
