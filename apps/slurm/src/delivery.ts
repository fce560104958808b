import { readFileSync } from 'node:fs';
import { postJobEvent, type CollectorTarget, type Delivery } from './collector-client';
import type { HookConfig } from './config';
import { FIELD_MAX, printable, type JobEventBody } from './job-event';
import type { Spool, SpoolEntry } from './spool';
import { readTeamMap, teamOf, type TeamMap } from './team-map';

/** The collector URL, the token (read from its file on every run, so a rotated token needs no restart) and the CA. */
export function collectorTarget(config: HookConfig): { target: CollectorTarget } | { problem: string } {
  if (config.url === null) return { problem: 'WATTPRINT_URL is not set (or not an http(s) URL)' };
  if (config.tokenFile === null) return { problem: 'WATTPRINT_TOKEN_FILE is not set' };
  let token: string;
  try {
    token = readFileSync(config.tokenFile, 'utf8').trim();
  } catch (error) {
    return {
      problem: `cannot read the token file ${config.tokenFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
  if (token === '' || /\s/.test(token)) return { problem: `the token file ${config.tokenFile} must hold one token on one line` };
  let ca: string | null = null;
  if (config.caFile !== null) {
    try {
      ca = readFileSync(config.caFile, 'utf8');
    } catch (error) {
      return {
        problem: `cannot read WATTPRINT_CA_FILE ${config.caFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      };
    }
  }
  return { target: { url: config.url, token, ca } };
}

/** The event as sent: its team is the account through the mapping in force now, unless it names one already. */
export function withTeam(body: JobEventBody, teams: TeamMap): JobEventBody {
  const account = body.metadata?.labels?.['slurm.account'];
  if (body.metadata === undefined || body.metadata.team !== undefined || account === undefined) return body;
  return { ...body, metadata: { ...body.metadata, team: printable(teamOf(account, teams), FIELD_MAX.team) } };
}

/** Everything a delivery needs that does not change between the events of one run. */
export type Sender = { teams: TeamMap; target: CollectorTarget } | { problem: string };

export function senderOf(config: HookConfig): Sender {
  const t = collectorTarget(config);
  if ('problem' in t) return t;
  try {
    return { teams: readTeamMap(config.teamsFile), target: t.target };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}

/**
 * Sends one spooled event and settles its file: removed once delivered, moved to rejected/ when the
 * collector refused it for good, rewritten with the attempt and the reason when it must wait.
 */
export async function deliverEntry(spool: Spool, entry: SpoolEntry, sender: Sender, timeoutMs: number): Promise<Delivery> {
  const result: Delivery =
    'problem' in sender
      ? { outcome: 'retry', message: sender.problem }
      : await postJobEvent(sender.target, withTeam(entry.record.body, sender.teams), timeoutMs);
  if (result.outcome === 'delivered') spool.remove(entry.file);
  else if (result.outcome === 'rejected') spool.reject(entry.file, `collector answered ${result.status}: ${result.message}`);
  else {
    try {
      spool.put({ ...entry.record, heldUntil: undefined, attempts: entry.record.attempts + 1, lastError: result.message });
    } catch {
      // the record is still there as it was; only the attempt count is lost
    }
  }
  return result;
}
