import { z } from 'zod';
import { parseTime } from '../intensity/intensity-rows';

/** An ISO 8601 date-time with a zone (`Z` or `+hh:mm`, seconds optional), read into epoch milliseconds. */
export const IsoTime = z
  .string()
  .refine((s) => parseTime(s) !== null, 'expected an ISO 8601 date-time with a zone, e.g. 2026-11-20T10:00:00Z')
  .transform((s) => parseTime(s)!);

/** A grid region as providers name it: `DE`, `US-CAL-CISO`, `CAISO_NORTH`. */
export const Region = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a region code of letters, digits and . _ - (at most 64), e.g. DE or US-CAL-CISO');

/** Physically at least 1 (facility energy includes IT energy); 3 is already an unusually poor site. */
export const Pue = z.number().min(1, 'expected a PUE of at least 1').max(10, 'expected a PUE of at most 10');

export const IntensityKind = z.enum(['actual', 'forecast']);

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
