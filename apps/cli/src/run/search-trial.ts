import { SEARCH_ENV } from '@wattprint/protocol';

// The same characters as a job id: a search id travels in URLs (/api/v1/searches/:id) and scripts.
const SEARCH_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const TRIAL = /^\d{1,9}$/;

/**
 * `--search` and `--trial`, or the WATTPRINT_SEARCH_ID and WATTPRINT_SEARCH_TRIAL a scheduler's job
 * script set: each bad one named with its value and what was expected; empty when all are good.
 */
export function searchProblems(search: string | undefined, trial: string | undefined, env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const id = search ?? env[SEARCH_ENV.searchId];
  const n = trial ?? env[SEARCH_ENV.trial];
  const idFlag = search !== undefined ? '--search' : SEARCH_ENV.searchId;
  const trialFlag = trial !== undefined ? '--trial' : SEARCH_ENV.trial;
  if (id !== undefined && id !== '' && !SEARCH_ID.test(id))
    problems.push(
      `${idFlag}: got ${JSON.stringify(id)}; expected 1 to 128 letters, digits and . _ : @ - (starting with a letter or digit)`,
    );
  if (search === '') problems.push('--search: got ""; expected a search id');
  if (n !== undefined && n !== '' && !TRIAL.test(n))
    problems.push(`${trialFlag}: got ${JSON.stringify(n)}; expected a whole number from 0 to 999999999`);
  if (trial !== undefined && (id === undefined || id === ''))
    problems.push('--trial: given without a search; expected --search or WATTPRINT_SEARCH_ID as well');
  return problems;
}

/** The child's environment with the search's variables set from the flags (inherited ones stay as they are). */
export function searchEnvironment(
  env: Record<string, string>,
  search: string | undefined,
  trial: string | undefined,
): Record<string, string> {
  const out = { ...env };
  if (search !== undefined) out[SEARCH_ENV.searchId] = search;
  if (trial !== undefined) out[SEARCH_ENV.trial] = String(Number(trial));
  return out;
}
