import { loadConfig } from './config';
import { flush, type FlushReport } from './flush';
import { HookLog } from './hook-log';
import { epilog, prolog, type HookContext } from './hooks';
import { admit } from './admit';
import { Spool } from './spool';
import { spoolStatus, formatStatus } from './status';

const USAGE = `usage: wattprint-slurm <command>

  prolog                       Slurm Prolog (slurmd, root): publish the job's start; never fails, bounded time
  epilog                       Slurm Epilog (slurmd, root): queue the job's end and settle it in the background
  flush [--json] [--wait-for JOBID]
                               deliver what the spool holds (cron or a systemd timer runs this); exit 1 while
                               events wait for the collector
  status [--json]              what the spool holds
  admit --spec PATH --account ACCOUNT --uid UID [--project P]
                               job_submit.lua: the collector's budget verdict on a job; prints
                               "allow|warn|refuse<TAB>line" and exits 0 (a collector away: warn, accepted)

Configuration: ${'$'}WATTPRINT_SLURM_ENV, else /etc/wattprint/slurm.env (see docs/deploy.md#slurm).`;

function context(program: string, env: NodeJS.ProcessEnv): HookContext {
  const { config, problems } = loadConfig(env);
  return { config, problems, log: new HookLog(config.logFile), spool: new Spool(config.spoolDir, config.spoolMaxBytes), program, env };
}

function formatFlush(r: FlushReport): string {
  if (r.skipped) return `flush: ${r.skipped}; it delivers what the spool holds`;
  const lines = [
    `delivered             ${r.delivered}`,
    `already in the ledger ${r.alreadyApplied}`,
    `rejected              ${r.rejected}${r.rejected > 0 ? '   (see the spool rejected/ directory)' : ''}`,
    `waiting for delivery  ${r.waiting}`,
    `waiting for Slurm     ${r.awaitingFinalState}   (ends whose final job state is not known yet)`,
    `dropped (spool full)  ${r.dropped}`,
  ];
  if (r.error) lines.push(`stopped: ${r.error}`);
  return lines.join('\n');
}

/** Exit status: 0, or 1 when events wait for the collector (flush), 2 on a usage error. Hooks always 0. */
export async function main(argv: string[], program: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  const json = rest.includes('--json');
  switch (command) {
    case 'prolog':
    case 'epilog': {
      try {
        const ctx = context(program, env);
        await (command === 'prolog' ? prolog(ctx) : epilog(ctx));
      } catch (error) {
        // Whatever went wrong, the job goes on: a failing prolog would drain the node.
        process.stderr.write(`wattprint-slurm ${command}: ${(error as Error).stack ?? error}\n`);
      }
      return 0;
    }
    case 'flush': {
      const at = rest.indexOf('--wait-for');
      const waitFor = at >= 0 ? (rest[at + 1] ?? '') : null;
      if (waitFor !== null && !/^\d+$/.test(waitFor)) {
        process.stderr.write(`--wait-for ${JSON.stringify(waitFor)}: expected a Slurm job id\n`);
        return 2;
      }
      const ctx = context(program, env);
      for (const p of ctx.problems) process.stderr.write(`wattprint-slurm: ${p}\n`);
      const report = await flush(ctx, { waitFor });
      if (!rest.includes('--quiet')) process.stdout.write(json ? `${JSON.stringify(report)}\n` : `${formatFlush(report)}\n`);
      return report.error !== null ? 1 : 0;
    }
    case 'status': {
      const ctx = context(program, env);
      const status = spoolStatus(ctx.spool);
      process.stdout.write(
        json ? `${JSON.stringify({ ...status, configProblems: ctx.problems })}\n` : `${formatStatus(status, ctx.problems)}\n`,
      );
      return 0;
    }
    case 'admit': {
      const value = (name: string) => {
        const at = rest.indexOf(name);
        return at >= 0 ? rest[at + 1] : undefined;
      };
      const [specPath, account, uid] = [value('--spec'), value('--account'), value('--uid')];
      if (!specPath || !account || !uid || !/^\d+$/.test(uid)) {
        process.stderr.write('admit: expected --spec PATH --account ACCOUNT --uid UID [--project P]\n');
        return 2;
      }
      const { config } = loadConfig(env);
      const verdict = await admit(config, { specPath, account, uid: Number(uid), project: value('--project') });
      process.stdout.write(`${verdict.action}\t${verdict.line.replace(/[\t\n]/g, ' ')}\n`);
      return 0;
    }
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      process.stderr.write(`${command === undefined ? 'no command' : `unknown command ${JSON.stringify(command)}`}\n${USAGE}\n`);
      return 2;
  }
}
