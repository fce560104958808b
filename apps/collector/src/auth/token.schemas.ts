import { printableText } from '@wattprint/protocol';
import { z } from 'zod';

const Name = printableText(1, 128).pipe(z.string().trim().min(1));
const Team = printableText(1, 128);
const AgentId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:@-]+$/, 'expected letters, digits and . _ : @ - only');

/**
 * POST /api/v1/tokens. A viewer without `team` sees every team; an agent token names its agent; a
 * scheduler token (a Slurm prolog, a workflow engine) may publish job events and nothing else.
 */
export const CreateTokenBody = z.discriminatedUnion('role', [
  z.strictObject({ name: Name, role: z.literal('admin') }),
  z.strictObject({ name: Name, role: z.literal('viewer'), team: Team.nullable().optional() }),
  z.strictObject({ name: Name, role: z.literal('agent'), agentId: AgentId }),
  z.strictObject({ name: Name, role: z.literal('scheduler') }),
]);
export type CreateTokenBody = z.infer<typeof CreateTokenBody>;

/** A token as listed: never its secret nor its hash. */
export interface TokenView {
  id: string;
  name: string;
  role: 'admin' | 'viewer' | 'agent' | 'scheduler';
  team: string | null;
  agentId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export const TokenViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'viewer', 'agent', 'scheduler']),
  team: z.string().nullable(),
  agentId: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export const CreatedTokenSchema = TokenViewSchema.extend({
  secret: z.string().describe('The bearer token. Shown once: only its sha256 is stored.'),
});
