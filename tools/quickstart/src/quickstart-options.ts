import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { DAY_MS, HOUR_MS, MINUTE_MS, parseDuration } from '@wattprint/carbon';
import { QUEUE_PREFIX_RULE } from '@wattprint/protocol';
import { Command, CommanderError } from 'commander';

/** What `npm start -- …` may set; every field has a default that gives the documented demo. */
export interface QuickstartOptions {
  /** Trace milliseconds replayed per wall-clock millisecond (`--speed`, 10: the 2 h trace in 12 min). */
  speed: number;
  /** HTTP port of the collector (`--port`, 8080). */
  port: number;
  /** Simulated GPU nodes, one agent each (`--nodes`, 4). */
  nodes: number;
  /** GPUs per node (`--gpus`, 8). */
  gpus: number;
  /** Length of the generated trace in ms (`--duration`, 2h). */
  durationMs: number;
  /** Seed of the generated cluster (`--seed`, 7). */
  seed: number;
  /** Folder of the demo database, traces, spools and logs (`--data-dir`, ./.wattprint/quickstart); emptied at start. */
  dataDir: string;
  /** Always start a private redis-server, ignoring REDIS_URL and the local Redis (`--own-redis`). */
  ownRedis: boolean;
  /** How often the live table is redrawn, ms (`--refresh`, 3 s). */
  refreshMs: number;
  /**
   * BullMQ key prefix of this run's queues (`--queue-prefix`; default a fresh `{wattprint-quickstart-…}`),
   * so no other collector on the same Redis takes its batches, and it takes none of theirs.
   */
  queuePrefix: string;
  help: boolean;
}

export class OptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `error: ${p}`).join('\n'));
    this.name = 'OptionsError';
  }
}

/** Ports that fetch (and browsers) refuse to call: the quick start could not talk to its own collector. */
const FETCH_BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117,
  119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636,
  989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** A queue prefix of this run only: a collector of another installation on the same Redis never shares it. */
export function freshQueuePrefix(): string {
  return `{wattprint-quickstart-${randomBytes(4).toString('hex')}}`;
}

function program(): Command {
  return new Command('start.js')
    .usage('[options]      (npm start -- [options])')
    .description(
      'Starts a collector (embedded SQLite), Redis if needed, and a simulated GPU cluster whose agents replay generated traces;\n' +
        'prints the API URL, an admin token and a live table of the jobs. Ctrl-C stops it all.',
    )
    .option('--speed <n>', 'trace seconds replayed per second (default 10; 60 = an hour a minute)')
    .option('--port <n>', 'collector HTTP port (default 8080)')
    .option('--nodes <n>', 'simulated nodes, one agent each (default 4)')
    .option('--gpus <n>', 'GPUs per node (default 8)')
    .option('--duration <d>', 'trace length: 30m, 2h, 1h30m … (default 2h)')
    .option('--seed <n>', 'seed of the generated cluster (default 7)')
    .option('--data-dir <dir>', 'demo database, traces, spools, logs (default ./.wattprint/quickstart; emptied at start)')
    .option('--own-redis', 'start a private redis-server even when REDIS_URL is set or a local Redis answers')
    .option('--refresh <s>', 'seconds between two redraws of the table (default 3)')
    .option('--queue-prefix <p>', "BullMQ prefix of this run's queues (default a fresh {wattprint-quickstart-…})")
    .exitOverride()
    .configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
}

/** What `--help` prints. */
export const USAGE = program().helpInformation();

/** Parses the command line; every bad option is reported at once, naming the flag, the value and what was expected. */
export function parseQuickstartOptions(argv: string[], cwd: string = process.cwd()): QuickstartOptions {
  const parser = program();
  try {
    parser.parse(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed') return { ...defaults(cwd), help: true };
    throw new OptionsError([`${error.message.replace(/^error: /, '').split('\n')[0]}; see --help`]);
  }
  const raw = parser.opts<Record<string, string | boolean | undefined>>();
  const values: Record<string, string | boolean | undefined> = {
    ...raw,
    'data-dir': raw.dataDir,
    'own-redis': raw.ownRedis,
    'queue-prefix': raw.queuePrefix,
  };
  const problems: string[] = [];
  const number = (flag: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const text = values[flag];
    if (text === undefined) return fallback;
    const value = Number(text);
    const ok =
      typeof text === 'string' &&
      text.trim() !== '' &&
      Number.isFinite(value) &&
      value >= min &&
      value <= max &&
      (!integer || Number.isInteger(value));
    if (!ok) problems.push(`--${flag}: got ${JSON.stringify(text)}; expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    return ok ? value : fallback;
  };
  const base = defaults(cwd);
  const options: QuickstartOptions = {
    speed: number('speed', base.speed, 0.1, 3600, false),
    port: number('port', base.port, 1, 65535, true),
    nodes: number('nodes', base.nodes, 1, 64, true),
    gpus: number('gpus', base.gpus, 1, 64, true),
    durationMs: base.durationMs,
    seed: number('seed', base.seed, 0, 4_294_967_295, true),
    dataDir: typeof values['data-dir'] === 'string' ? resolve(cwd, values['data-dir']) : base.dataDir,
    ownRedis: values['own-redis'] === true,
    refreshMs: number('refresh', base.refreshMs / 1000, 0.5, 3600, false) * 1000,
    queuePrefix: typeof values['queue-prefix'] === 'string' ? values['queue-prefix'] : base.queuePrefix,
    help: false,
  };
  if (typeof values.duration === 'string') {
    const ms = parseDuration(values.duration);
    if (ms === null || ms < MINUTE_MS || ms > DAY_MS) {
      problems.push(`--duration: got ${JSON.stringify(values.duration)}; expected a duration from 1m to 24h such as 30m, 2h or 1h30m`);
    } else {
      options.durationMs = ms;
    }
  }
  if (values['data-dir'] === '') problems.push('--data-dir: got ""; expected a folder path');
  if (FETCH_BAD_PORTS.has(options.port))
    problems.push(`--port: got "${options.port}"; expected a port that fetch may call (not one of its blocked ports such as 22, 25, 6000)`);
  if (!QUEUE_PREFIX_RULE.pattern.test(options.queuePrefix))
    problems.push(`--queue-prefix: got ${JSON.stringify(options.queuePrefix)}; expected ${QUEUE_PREFIX_RULE.expected}`);
  if (problems.length > 0) throw new OptionsError(problems);
  return options;
}

function defaults(cwd: string): QuickstartOptions {
  return {
    speed: 10,
    port: 8080,
    nodes: 4,
    gpus: 8,
    durationMs: 2 * HOUR_MS,
    seed: 7,
    dataDir: resolve(cwd, '.wattprint/quickstart'),
    ownRedis: false,
    refreshMs: 3000,
    queuePrefix: freshQueuePrefix(),
    help: false,
  };
}
