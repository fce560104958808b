import { z } from 'zod';
import { timeRangeCheck } from '../../common/time-range';
import { IntensityKind, IsoTime, Region } from '../common/carbon.schemas';
import { DAY_MS } from '@wattprint/carbon';

/** Query of an import: how to label what comes in, and where a chunk sits in its original file. */
export const ImportQuery = z.strictObject({
  kind: IntensityKind.default('actual'),
  /** Recorded as `import:<source>`; without it rows are recorded as from `api`. */
  source: z
    .string()
    .regex(/^[A-Za-z0-9._:@ -]{1,100}$/, 'expected a short name of letters, digits and . _ : @ - space')
    .optional(),
  /** CSV: the line of the original file holding this body's first data row (2 = right after the header). */
  line: z.coerce.number().int().min(2).default(2),
  /** JSON: the index in the original array of this body's first element. */
  index: z.coerce.number().int().min(0).default(0),
});
export type ImportQuery = z.output<typeof ImportQuery>;

export const JsonImportRow = z.object({
  region: Region,
  start: z.string(),
  end: z.string(),
  gPerKwh: z.number(),
  kind: IntensityKind.optional(),
});
export const JsonImportBody = z.array(JsonImportRow);

export const ImportProblem = z.object({
  line: z.number().optional(),
  index: z.number().optional(),
  column: z.string(),
  value: z.string(),
  expected: z.string(),
});

export const ImportSummary = z.object({
  /** Data rows read (blank CSV lines not counted). */
  rows: z.number(),
  imported: z.number(),
  rejected: z.number(),
  /** The first problems found, one per bad value. */
  problems: z.array(ImportProblem),
  /** Problems found beyond those listed. */
  problemsOmitted: z.number(),
});
export type ImportSummary = z.infer<typeof ImportSummary>;

/** At most a year per query, so one request cannot ask for the whole table. */
export const MAX_QUERY_RANGE_MS = 366 * DAY_MS;

export const IntensityQuery = z
  .strictObject({ region: Region, from: IsoTime, to: IsoTime, kind: IntensityKind.optional() })
  .superRefine(timeRangeCheck(MAX_QUERY_RANGE_MS, '366 days'));
export type IntensityQuery = z.output<typeof IntensityQuery>;

export const IntensityPeriodResponse = z.object({
  start: z.string(),
  end: z.string(),
  gPerKwh: z.number(),
  kind: IntensityKind,
  source: z.string(),
  revisedAt: z.string(),
});
export const IntensitySeriesResponse = z.object({
  region: z.string(),
  from: z.string(),
  to: z.string(),
  periods: z.array(IntensityPeriodResponse),
});
export type IntensitySeriesResponse = z.infer<typeof IntensitySeriesResponse>;
