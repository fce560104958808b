import { z } from 'zod';

const Name = z.string().trim().min(1).max(128);
const Team = z.string().min(1).max(128);
const AgentId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'expected letters, digits and . _ : @ - only');

/** POST /api/v1/tokens. A viewer without `team` sees every team; an agent token names its agent. */
export const CreateTokenBody = z.discriminatedUnion('role', [
  z.strictObject({ name: Name, role: z.literal('admin') }),
  z.strictObject({ name: Name, role: z.literal('viewer'), team: Team.nullable().optional() }),
  z.strictObject({ name: Name, role: z.literal('agent'), agentId: AgentId }),
]);
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

/** A token as listed: never its secret nor its hash. */
export interface TokenView {
  id: string;
  name: string;
  role: 'admin' | 'viewer' | 'agent';
  team: string | null;
  agentId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const TokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'viewer', 'agent']),
  team: z.string().nullable(),
  agentId: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export const CreatedTokenSchema = TokenViewSchema.extend({
  secret: z.string().describe('The bearer token. Shown once: only its sha256 is stored.'),
});
