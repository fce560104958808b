import { z } from 'zod';
import { num } from '../spec/numbers';

const Id = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { error: 'expected an id of lower-case letters, digits, dots and dashes' });

/** A measured figure with where it comes from; `derived` says how, when it is not the published number itself. */
export const ReferenceFigure = z.strictObject({
  value: num('positive number'),
  source: z.string().min(10, { error: 'expected the citation of the figure (table, page)' }),
  derived: z.string().min(5).optional(),
});
export type ReferenceFigure = z.infer<typeof ReferenceFigure>;

/** One published run: the spec a person would have written before launching it, and what was measured. */
export const ReferenceRun = z.strictObject({
  id: Id,
  name: z.string().min(1),
  spec: z.unknown().refine((v) => v !== undefined, { error: 'expected a run spec' }),
  /** Where the spec's own figures (parameters, tokens, counts) come from, and what in it is assumed. */
  specSources: z.array(z.string().min(5)).min(1),
  measured: z
    .strictObject({
      /** IT energy (no PUE). */
      energyKWh: ReferenceFigure.optional(),
      /** Energy with the data centre's PUE: the spec's site.pue must be that PUE. */
      facilityEnergyKWh: ReferenceFigure.optional(),
      deviceHours: ReferenceFigure.optional(),
      durationH: ReferenceFigure.optional(),
    })
    .superRefine((m, ctx) => {
      if ((m.energyKWh === undefined) === (m.facilityEnergyKWh === undefined)) {
        ctx.addIssue({
          code: 'custom',
          message: `${m.energyKWh ? 'got both energyKWh and facilityEnergyKWh' : 'missing'}; expected exactly one of energyKWh and facilityEnergyKWh`,
        });
      }
    }),
});
export type ReferenceRun = z.infer<typeof ReferenceRun>;

/**
 * A family: runs measured the same way by one source (one team's stack on one kind of cluster), the
 * unit within which calibration is expected to carry over.
 */
export const ReferenceFamily = z.strictObject({
  family: Id,
  title: z.string().min(1),
  source: z.string().min(10),
  url: z.url().optional(),
  /** What the energy figures count. */
  covers: z.strictObject({
    scope: z.enum(['devices', 'devices and host']),
    pue: z.boolean(),
    how: z.string().min(10),
  }),
  runs: z.array(ReferenceRun).min(1),
});
export type ReferenceFamily = z.infer<typeof ReferenceFamily>;
