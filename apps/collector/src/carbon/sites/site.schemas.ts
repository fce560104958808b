import { printableText } from '@wattprint/protocol';
import { z } from 'zod';
import { IsoTime, Pue, Region } from '../common/carbon.schemas';

export const SiteId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'expected letters, digits and . _ : - only (at most 64)');

export const PueStepBody = z.strictObject({ validFrom: IsoTime, pue: Pue });

/** Either one constant PUE or a schedule of steps; steps are sorted and must not repeat a time. */
const pueFields = {
  pue: Pue.optional(),
  pueSchedule: z.array(PueStepBody).min(1).max(10_000).optional(),
};

function checkPue(body: { pue?: number; pueSchedule?: Array<{ validFrom: number }> }, ctx: z.RefinementCtx): void {
  if ((body.pue === undefined) === (body.pueSchedule === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['pue'],
      message: 'expected exactly one of pue (a constant) or pueSchedule (steps)',
      input: body.pue,
    });
  }
  const seen = new Set<number>();
  body.pueSchedule?.forEach((step, i) => {
    // a step whose time did not parse is already a problem of its own (zod refines the raw value)
    if (typeof step.validFrom !== 'number') return;
    if (seen.has(step.validFrom)) {
      ctx.addIssue({
        code: 'custom',
        path: ['pueSchedule', i, 'validFrom'],
        message: 'expected a time not already in the schedule',
        input: new Date(step.validFrom).toISOString(),
      });
    }
    seen.add(step.validFrom);
  });
}

export const CreateSiteBody = z
  .strictObject({ id: SiteId, name: printableText(1, 200), region: Region, ...pueFields })
  .superRefine(checkPue);
export type CreateSiteBody = z.output<typeof CreateSiteBody>;

export const UpdateSiteBody = z.strictObject({ name: printableText(1, 200).optional(), region: Region.optional() });
export type UpdateSiteBody = z.output<typeof UpdateSiteBody>;

export const PueScheduleBody = z.strictObject(pueFields).superRefine(checkPue);
export type PueScheduleBody = z.output<typeof PueScheduleBody>;

export const AssignNodeBody = z.strictObject({ siteId: SiteId.nullable() });
export type AssignNodeBody = z.output<typeof AssignNodeBody>;

/** The rule every door uses for a node's name (agent registration, batches, routes, filters), so a name accepted once works everywhere. */
export { NodeName } from '@wattprint/protocol';

/** What the API answers for a site. */
export const SiteResponse = z.object({
  id: z.string(),
  name: z.string(),
  region: z.string(),
  createdAt: z.string(),
  /** The PUE in force now. */
  pue: z.number(),
  pueSchedule: z.array(z.object({ validFrom: z.string(), pue: z.number() })),
  nodes: z.array(z.string()),
});
export type SiteResponse = z.infer<typeof SiteResponse>;

export const PueScheduleResponse = z.object({
  siteId: z.string(),
  pueSchedule: z.array(z.object({ validFrom: z.string(), pue: z.number() })),
});
export const NodeResponse = z.object({ name: z.string(), siteId: z.string().nullable() });
