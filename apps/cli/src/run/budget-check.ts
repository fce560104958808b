import { CollectorClient, CollectorTimeoutError, CollectorUnreachableError, messageOf } from '@wattprint/api-client';
import { z } from 'zod';
import { CliInputError } from '../cli-error';
import type { CollectorTarget } from '../collector/collector-http';

const Quantiles = z.object({ p10: z.number(), p50: z.number(), p90: z.number() });

/** The part of POST /api/v1/admission that `wattprint run --budget-check` uses. */
const Admission = z.object({
  verdict: z.enum(['allow', 'warn', 'refuse']),
  line: z.string(),
  forecastId: z.string().min(1),
  forecast: z.object({ energyKWh: Quantiles, co2eqKg: Quantiles }),
});
export type Admission = z.infer<typeof Admission>;

export type BudgetCheckMode = 'warn' | 'enforce';

/**
 * Asks the collector for the admission verdict of a spec for a team. A collector that cannot be
 * reached (or does not answer in time) is not a reason to hold a job back: `unreachable` says why,
 * and the caller runs the job anyway. Any other refusal (bad spec, bad token) is the person's to fix.
 */
export async function checkBudget(
  target: CollectorTarget,
  body: { team: string; project?: string; spec: unknown },
  specPath: string,
): Promise<{ admission: Admission } | { unreachable: string }> {
  const client = new CollectorClient({ baseUrl: target.url, token: target.token, timeoutMs: target.timeoutMs });
  let answer;
  try {
    answer = await client.send('POST', '/api/v1/admission', {}, { contentType: 'application/json', body: JSON.stringify(body) });
  } catch (error) {
    if (error instanceof CollectorUnreachableError || error instanceof CollectorTimeoutError) return { unreachable: error.message };
    throw error;
  }
  if (answer.status === 200) {
    const parsed = Admission.safeParse(answer.body);
    if (parsed.success) return { admission: parsed.data };
    throw new CliInputError([
      `the collector at ${target.url} answered the budget check with an unexpected body; expected a Wattprint collector's answer`,
    ]);
  }
  if (answer.status >= 500) return { unreachable: `the collector answered ${answer.status}: ${messageOf(answer)}` };
  const problems = (answer.body as { problems?: Array<{ path?: string; message?: string }> } | undefined)?.problems;
  if (answer.status === 400 && Array.isArray(problems) && problems.length > 0) {
    throw new CliInputError(
      problems.map((p) => `${p.path?.startsWith('spec') ? specPath : '--budget-check'}: ${p.path ?? ''}: ${p.message ?? 'invalid'}`),
    );
  }
  throw new CliInputError([`--budget-check: the collector answered ${answer.status}: ${messageOf(answer)}`]);
}
