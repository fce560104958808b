import { NodeName } from '@wattprint/protocol';
import { z } from 'zod';
import { SiteId } from '../carbon/sites/site.schemas';

const Identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'expected letters, digits and . _ : @ - only');

/** POST /api/v1/agents: one agent per node; the node joins `siteId` when given. */
export const RegisterAgentBody = z.strictObject({
  id: Identifier,
  node: NodeName,
  siteId: SiteId.optional(),
});
export type RegisterAgentBody = z.infer<typeof RegisterAgentBody>;

export interface AgentView {
  id: string;
  node: string;
  siteId: string | null;
  createdAt: string;
  lastSeenAt: string | null;
}

export const AgentViewSchema = z.object({
  id: z.string(),
  node: z.string(),
  siteId: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
});
export const AgentWithKeySchema = AgentViewSchema.extend({
  key: z.string().describe('HMAC-SHA256 key the agent signs batches with. Shown once.'),
});
