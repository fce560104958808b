import { z } from 'zod';

/** Where a reading came from. */
export const SampleSource = z.enum(['nvml', 'nvidia-smi', 'rapl', 'replay']);
export type SampleSource = z.infer<typeof SampleSource>;

export const DeviceKind = z.enum(['gpu', 'cpu', 'dram']);
export type DeviceKind = z.infer<typeof DeviceKind>;

/** Epoch milliseconds, UTC, as an integer. */
export const EpochMs = z.number().int().nonnegative();

/** Identifiers that travel inside Redis keys and BullMQ job ids: no '/' and no whitespace. */
export const Identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'expected letters, digits and . _ : @ - only');

/**
 * Control characters: C0 (NUL, tab, newline…), DEL and C1. PostgreSQL refuses NUL in text, and the
 * others mangle logs, terminals and CSV, so no name or id that reaches the ledger may hold one.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Text from min to max characters with no control character: names, device ids, job ids, labels. */
export function printableText(min: number, max: number) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !CONTROL_CHARACTER.test(s), 'expected no control characters (NUL, tab, newline, DEL, C1)');
}

/**
 * A node's name, as an agent registers it and as every batch, job event, route and filter names it:
 * one rule everywhere, so a name accepted once is accepted at every later use.
 */
export const NodeName = printableText(1, 255);

/** A job id: what the agent books energy to and schedulers publish events for. */
export const JobId = printableText(1, 128);

/**
 * The energy one device used over [t0, t1), attributed to one job (or to idle when jobId is null).
 * Energy, not power, crosses the wire: sums of energy are commutative, so ingest can be idempotent.
 */
export const Sample = z
  .strictObject({
    /** Per-agent, per-boot sequence number; consecutive inside and across batches. */
    seq: z.number().int().nonnegative(),
    t0: EpochMs,
    t1: EpochMs,
    /** Stable device id on the node, e.g. `gpu0`, `GPU-8c1e…`, `cpu0`, `dram0`. */
    device: printableText(1, 128),
    kind: DeviceKind,
    jobId: JobId.nullable(),
    energyJ: z.number().finite().nonnegative(),
    /** Mean power over the interval as seen by the source; null when it does not report one. */
    powerW: z.number().finite().nonnegative().nullable(),
    /** Percent 0–100; null when the device does not report it. */
    utilization: z.number().finite().min(0).max(100).nullable(),
    source: SampleSource,
  })
  .refine((s) => s.t1 > s.t0, { message: 'expected t1 to be after t0', path: ['t1'] });
export type Sample = z.infer<typeof Sample>;
