import { hostname } from 'node:os';
import { basename } from 'node:path';
import { isatty } from 'node:tty';
import { forecast } from '@wattprint/estimation';
import { JOB_FIELD_MAX } from '@wattprint/protocol';
import { type Command, Option } from 'commander';
import { CliInputError, CommandExit, EXIT_BUDGET_REFUSED } from '../cli-error';
import { type CollectorOptions, type CollectorTarget, collectorOptions, collectorTarget } from '../collector/collector-http';
import { readDocument } from '../files/read-document';
import { formatLaunch, formatRunEnd, type LaunchForecast, type RunSummary } from '../format/run.format';
import type { CliIo } from '../io';
import { exitStatusOf, runChild } from '../run/child';
import { jobEnvironment, newJobId, type RunJob, runJobProblems } from '../run/job-environment';
import { searchEnvironment, searchProblems } from '../run/search-trial';
import { fetchJobFigures, storeForecast } from '../run/run-api';
import { type BudgetCheckMode, checkBudget } from '../run/budget-check';
import { inFile } from './forecast.command';

interface RunOptions extends CollectorOptions {
  jobId?: string;
  name?: string;
  user?: string;
  team?: string;
  project?: string;
  cluster?: string;
  forecast?: string;
  forecastId?: string;
  search?: string;
  trial?: string;
  budgetCheck?: BudgetCheckMode;
  report: boolean;
  summary?: string;
  quiet?: boolean;
}

/** What `wattprint run` reads of its surroundings beyond the CLI's own io; tests hand in their own. */
export interface RunEnvironment {
  env: Record<string, string | undefined>;
  stdinIsTTY: boolean;
  hostname: () => string;
  now: () => Date;
}

// isatty(0) rather than process.stdin.isTTY: touching process.stdin opens a stream on the terminal
// that the command is about to inherit.
function processRunEnvironment(): RunEnvironment {
  return { env: process.env, stdinIsTTY: isatty(0), hostname, now: () => new Date() };
}

/** A summary that cannot be written is said, but does not change the command's exit status. */
function writeSummary(path: string, summary: RunSummary, io: CliIo): void {
  try {
    io.writeFile(path, `${JSON.stringify(summary, null, 2)}\n`);
  } catch (error) {
    io.stderr(`wattprint run: --summary: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})\n`);
  }
}

/** The spec's forecast: stored on the collector when there is a token (it knows the region's hours), else computed here. */
async function launchForecast(specPath: string, target: CollectorTarget | null, io: CliIo): Promise<LaunchForecast> {
  const spec = readDocument(specPath, io);
  if (target) {
    const stored = await storeForecast(target, spec, specPath);
    return { id: stored.id, energyKWh: stored.result.energyKWh, co2eqKg: stored.result.co2eqKg };
  }
  try {
    const result = forecast(spec);
    return { id: null, energyKWh: result.energyKWh, co2eqKg: result.co2eqKg };
  } catch (error) {
    return inFile(specPath, error);
  }
}

/** The team a budget check asks for: --team, or the Slurm account the job runs under. */
function budgetTeam(options: RunOptions, env: Record<string, string | undefined>): string | undefined {
  return options.team ?? env.SLURM_JOB_ACCOUNT;
}

function budgetCheckProblems(options: RunOptions, target: CollectorTarget | null, env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (options.forecast === undefined) problems.push('--budget-check: needs --forecast SPEC (the job is judged by its forecast)');
  if (target === null) problems.push('--budget-check: needs a collector token (--token, --token-file or WATTPRINT_TOKEN)');
  if (budgetTeam(options, env) === undefined) problems.push('--budget-check: needs --team (or SLURM_JOB_ACCOUNT): budgets are per team');
  return problems;
}

/**
 * The collector's admission verdict: `enforce` ends here with exit status 3 and the verdict's line
 * when it refuses; `warn` prints the line and runs. A collector that cannot be reached never holds
 * the job back: said on stderr, and the forecast is made here as without a token. Returns the launch
 * forecast (the admission stored it), or null when the collector was away and there is nothing stored.
 */
async function budgetVerdict(
  options: RunOptions,
  target: CollectorTarget,
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<LaunchForecast> {
  const specPath = options.forecast!;
  const spec = readDocument(specPath, io);
  const checked = await checkBudget(target, { team: budgetTeam(options, env)!, project: options.project, spec }, specPath);
  if ('unreachable' in checked) {
    io.stderr(`wattprint run: budget check skipped, running anyway: ${checked.unreachable}\n`);
    return launchForecast(specPath, null, io);
  }
  const { admission } = checked;
  if (admission.verdict === 'refuse' && options.budgetCheck === 'enforce') {
    io.stderr(`wattprint run: budget check: ${admission.line}; not started (exit status 3)\n`);
    throw new CommandExit(EXIT_BUDGET_REFUSED);
  }
  if (admission.verdict !== 'allow' || !options.quiet) io.stderr(`wattprint run: budget check: ${admission.line}\n`);
  return { id: admission.forecastId, energyKWh: admission.forecast.energyKWh, co2eqKg: admission.forecast.co2eqKg };
}

/**
 * `wattprint run [options] -- <command> [args...]`: runs a command as one Wattprint job. The job's id and
 * metadata go into the command's environment, where the node's agent finds them on every process that
 * holds a GPU; the command keeps the terminal, receives the signals sent to the wrapper, and its exit
 * status is the wrapper's. With a token, the spec of `--forecast` is stored on the collector first and
 * the job's measured energy is shown when it ends.
 */
export function registerRunCommand(program: Command, io: CliIo, given?: RunEnvironment): void {
  // Options after the command are the command's own (`wattprint run python train.py --lr 3e-4`).
  program.enablePositionalOptions();
  const command = program
    .command('run')
    .description("run a command as a Wattprint job: the agent books its GPUs' energy to it")
    .usage('[options] -- <command> [args...]')
    .argument('<command...>', 'the command and its arguments')
    .passThroughOptions()
    .option('--job-id <id>', 'the job id (default: run-<host>-<UTC time>-<random>)')
    .option('--name <name>', 'job name (default: the command)')
    .option('--user <user>', 'user the job is booked to (default: the agent takes $USER or SLURM_JOB_USER)')
    .option('--team <team>', 'team the job is booked to (default: SLURM_JOB_ACCOUNT when inside Slurm)')
    .option('--project <project>', 'project the job is booked to')
    .option('--cluster <cluster>', 'cluster name (default: SLURM_CLUSTER_NAME when inside Slurm)')
    .option('--forecast <spec>', 'forecast this run spec before launch and link the job to it')
    .option('--forecast-id <id>', 'link the job to a forecast already stored on the collector')
    .option('--search <id>', 'the job is a trial of this search (env WATTPRINT_SEARCH_ID)')
    .option('--trial <n>', 'the trial number within the search (env WATTPRINT_SEARCH_TRIAL)')
    .addOption(
      new Option(
        '--budget-check <mode>',
        "with --forecast: ask the collector whether the job fits its team's budgets; warn: say so and run; enforce: refuse with exit status 3",
      ).choices(['warn', 'enforce']),
    );
  collectorOptions(command, 'API token: stores the forecast and reads the job back at the end')
    .option('--no-report', 'do not read the job back from the collector when the command ends')
    .option('--summary <file>', 'write what happened (job, exit status, forecast, measured energy) as JSON to this file')
    .option('--quiet', 'print nothing of its own unless something fails')
    .action(async (words: string[], options: RunOptions) => {
      const surroundings = given ?? processRunEnvironment();
      const { env } = surroundings;
      const { url, token, timeoutMs } = collectorTarget(options, env, (path) => io.readFile(path));
      const target: CollectorTarget | null = token ? { url, token, timeoutMs } : null;
      const [command, ...args] = words;
      const job: RunJob = {
        jobId: options.jobId ?? newJobId(surroundings.hostname(), surroundings.now(), Math.random),
        name: options.name ?? (basename(command).slice(0, JOB_FIELD_MAX.name) || undefined),
        user: options.user,
        team: options.team,
        project: options.project,
        cluster: options.cluster,
        forecastId: options.forecastId,
      };
      const problems = [...runJobProblems(job), ...searchProblems(options.search, options.trial, env)];
      // A collector named without a token would be ignored: the forecast and the report both need one.
      if (options.url && !token) problems.push('--url: given without a token; expected --token, --token-file or WATTPRINT_TOKEN as well');
      if (options.forecast !== undefined && options.forecastId !== undefined) {
        problems.unshift('--forecast and --forecast-id: got both; expected one (a spec to store, or the id of a stored one)');
      }
      if (options.budgetCheck !== undefined) problems.push(...budgetCheckProblems(options, target, env));
      if (problems.length > 0) throw new CliInputError(problems);
      const checked = options.budgetCheck !== undefined ? await budgetVerdict(options, target!, env, io) : undefined;
      const launch =
        checked !== undefined ? checked : options.forecast !== undefined ? await launchForecast(options.forecast, target, io) : null;
      if (launch?.id) job.forecastId = launch.id;
      const say = (text: string) => {
        if (!options.quiet) io.stderr(text);
      };
      say(formatLaunch(job.jobId, launch));

      const started = surroundings.now();
      const end = await runChild(command, args, {
        env: searchEnvironment(jobEnvironment(job, env), options.search, options.trial),
        forwardSigint: !surroundings.stdinIsTTY,
      });
      const ended = surroundings.now();

      const exitStatus = exitStatusOf(end);
      const startError = 'error' in end ? (end.error.code === 'ENOENT' ? 'no such command on PATH' : end.error.message) : null;
      const summary: RunSummary = {
        jobId: job.jobId,
        command: words,
        startedAt: started.toISOString(),
        endedAt: ended.toISOString(),
        durationS: (ended.getTime() - started.getTime()) / 1000,
        exitStatus,
        signal: 'signal' in end ? end.signal : null,
        startError,
        forecast: launch,
        ledger: null,
        ledgerProblem: null,
      };
      const reportAsked = options.report && target !== null && startError === null;
      if (reportAsked && target) {
        const { figures, problem } = await fetchJobFigures(target, job.jobId);
        summary.ledgerProblem = problem ?? null;
        if (figures) {
          summary.ledger = {
            ...figures.energy,
            energyMissing: figures.gaps.energyMissing,
            forecastRatio: figures.forecast?.measuredOverForecastP50 ?? null,
            withinForecastInterval: figures.forecast?.withinP10P90 ?? null,
          };
        }
      }
      if (startError !== null) io.stderr(`wattprint run: cannot run ${JSON.stringify(command)}: ${startError}\n`);
      else say(formatRunEnd(summary, reportAsked));
      if (options.summary) writeSummary(options.summary, summary, io);
      // The command's status is the wrapper's, so scripts and schedulers see the job's own outcome.
      if (exitStatus !== 0) throw new CommandExit(exitStatus);
    });
}
