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
    device: z.string().min(1).max(128),
    kind: DeviceKind,
    jobId: z.string().min(1).max(128).nullable(),
    energyJ: z.number().finite().nonnegative(),
    /** Mean power over the interval as seen by the source; null when it does not report one. */
    powerW: z.number().finite().nonnegative().nullable(),
    /** Percent 0–100; null when the device does not report it. */
    utilization: z.number().finite().min(0).max(100).nullable(),
    source: SampleSource,
  })
  .refine((s) => s.t1 > s.t0, { message: 'expected t1 to be after t0', path: ['t1'] });
export type Sample = z.infer<typeof Sample>;
