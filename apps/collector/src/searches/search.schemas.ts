import { Identifier, printableText } from '@wattprint/protocol';
import { z } from 'zod';

/** The :id of /searches/:id, and the id a search may be given: what `wattprint run --search` accepts. */
export const SearchIdParam = Identifier;

/** `POST /api/v1/searches`: a run spec with a search section, and optionally the id and name to keep it under. */
export const CreateSearchBody = z.strictObject({
  id: Identifier.optional().describe('the id trials are launched with (wattprint run --search ID); default srch_<random>'),
  name: printableText(1, 255).optional(),
  spec: z.record(z.string(), z.unknown()).describe('a run spec with a search section (docs/spec-format.md)'),
});
export type CreateSearchBody = z.output<typeof CreateSearchBody>;

const Quantiles = z.object({ p10: z.number(), p50: z.number(), p90: z.number() });

export const SearchViewSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  team: z.string().nullable(),
  createdAt: z.string().nullable().describe('null for trials labelled with an id no search was stored under'),
  createdBy: z.string().nullable(),
  spec: z.record(z.string(), z.unknown()).nullable(),
  trials: z.object({
    planned: z.number().nullable(),
    running: z.number(),
    ended: z.number(),
    unknown: z.number(),
    items: z.array(
      z.object({
        jobId: z.string(),
        trial: z.number().nullable(),
        state: z.enum(['running', 'ended', 'unknown']),
        startedAt: z.string().nullable(),
        endedAt: z.string().nullable(),
        energyKWh: z.number(),
        energyMissing: z.boolean(),
      }),
    ),
  }),
  measured: z.object({
    endedKWh: z.number().describe('CT so far: the IT energy of the ended trials, summed'),
    runningKWh: z.number().describe('what the running trials have drawn so far'),
  }),
  forecast: z
    .object({
      searchEnergyKWh: Quantiles.describe('the search phase: the CT forecast'),
      energyKWh: Quantiles.describe('the whole run spec'),
    })
    .nullable(),
  projection: z
    .object({
      energyKWh: z.object({ p10: z.number().nullable(), p50: z.number(), p90: z.number().nullable() }),
      basedOnTrials: z.number(),
      trials: z.number(),
      method: z.string(),
    })
    .nullable(),
});
