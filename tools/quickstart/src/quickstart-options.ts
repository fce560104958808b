import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

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
  help: boolean;
}

export class OptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.map((p) => `error: ${p}`).join('\n'));
    this.name = 'OptionsError';
  }
}

export const USAGE = `usage: npm start -- [options]      (or: node tools/quickstart/start.js [options])

Starts a collector (embedded SQLite), Redis if needed, and a simulated GPU cluster whose agents replay
generated traces; prints the API URL, an admin token and a live table of the jobs. Ctrl-C stops it all.

  --speed N        trace seconds replayed per second (default 10; 60 = an hour a minute)
  --port N         collector HTTP port (default 8080)
  --nodes N        simulated nodes, one agent each (default 4)
  --gpus N         GPUs per node (default 8)
  --duration D     trace length: 30m, 2h, 1h30m … (default 2h)
  --seed N         seed of the generated cluster (default 7)
  --data-dir DIR   demo database, traces, spools, logs (default ./.wattprint/quickstart; emptied at start)
  --own-redis      start a private redis-server even when REDIS_URL is set or a local Redis answers
  --refresh S      seconds between two redraws of the table (default 3)
`;

/** Ports that fetch (and browsers) refuse to call: the quick start could not talk to its own collector. */
const FETCH_BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111, 113, 115, 117,
  119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636,
  989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** `2h`, `90m`, `1h30m`, `45s` to milliseconds; null when the text is not such a duration. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === '') return null;
  const [, h = '0', min = '0', s = '0'] = m;
  return ((Number(h) * 60 + Number(min)) * 60 + Number(s)) * 1000;
}

/** The options in the spelling `tools/traces` reads: whole seconds. */
export function formatDuration(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/** Parses the command line; every bad option is reported at once, naming the flag, the value and what was expected. */
export function parseQuickstartOptions(argv: string[], cwd: string = process.cwd()): QuickstartOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        speed: { type: 'string' },
        port: { type: 'string' },
        nodes: { type: 'string' },
        gpus: { type: 'string' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        'data-dir': { type: 'string' },
        'own-redis': { type: 'boolean' },
        refresh: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new OptionsError([`${(error as Error).message}; see --help`]);
  }
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
  const options: QuickstartOptions = {
    speed: number('speed', 10, 0.1, 3600, false),
    port: number('port', 8080, 1, 65535, true),
    nodes: number('nodes', 4, 1, 64, true),
    gpus: number('gpus', 8, 1, 64, true),
    durationMs: 2 * 3_600_000,
    seed: number('seed', 7, 0, 4_294_967_295, true),
    dataDir: resolve(cwd, typeof values['data-dir'] === 'string' ? values['data-dir'] : '.wattprint/quickstart'),
    ownRedis: values['own-redis'] === true,
    refreshMs: number('refresh', 3, 0.5, 3600, false) * 1000,
    help: values.help === true,
  };
  if (typeof values.duration === 'string') {
    const ms = parseDuration(values.duration);
    if (ms === null || ms < 60_000 || ms > 86_400_000) {
      problems.push(`--duration: got ${JSON.stringify(values.duration)}; expected a duration from 1m to 24h such as 30m, 2h or 1h30m`);
    } else {
      options.durationMs = ms;
    }
  }
  if (values['data-dir'] === '') problems.push('--data-dir: got ""; expected a folder path');
  if (FETCH_BAD_PORTS.has(options.port))
    problems.push(`--port: got "${options.port}"; expected a port that fetch may call (not one of its blocked ports such as 22, 25, 6000)`);
  if (problems.length > 0) throw new OptionsError(problems);
  return options;
}
