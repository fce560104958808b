import {
  type CollectorAnswer,
  CollectorClient,
  CollectorTimeoutError,
  CollectorUnreachableError,
  type HttpMethod,
  type Query,
  type SendOptions,
  messageOf,
} from '@wattprint/api-client';
import { type Command, InvalidArgumentError } from 'commander';
import { CliInputError } from '../cli-error';

export { type CollectorAnswer, messageOf };

export const DEFAULT_URL = 'http://127.0.0.1:8080';
export const DEFAULT_TIMEOUT_S = 30;

/** Where the collector's API is, the bearer token to show it, and how long to wait for each answer. */
export interface CollectorTarget {
  /** Base URL, e.g. http://127.0.0.1:8080. */
  url: string;
  token: string;
  timeoutMs: number;
}

/** The options of every command that talks to the collector, as commander hands them over. */
export interface CollectorOptions {
  url?: string;
  token?: string;
  tokenFile?: string;
  timeout?: number;
}

function seconds(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || n > 3600)
    throw new InvalidArgumentError('expected seconds from 0 to 3600, e.g. 30');
  return n;
}

/** Adds --url, --token, --token-file and --timeout to a command. */
export function collectorOptions(command: Command, tokenHelp: string): Command {
  return command
    .option('--url <url>', `collector URL (env WATTPRINT_URL, default ${DEFAULT_URL})`)
    .option('--token <token>', `${tokenHelp} (env WATTPRINT_TOKEN; an empty value counts as not given)`)
    .option('--token-file <file>', 'read the API token from this file, so it is neither on the command line nor in the environment')
    .option('--timeout <seconds>', `longest wait for one answer of the collector (default ${DEFAULT_TIMEOUT_S})`, seconds);
}

/** `--url`, then WATTPRINT_URL, then the default; anything but http(s) is refused naming the flag. */
export function collectorUrl(option: string | undefined, env: Record<string, string | undefined>): string {
  const url = option || env.WATTPRINT_URL || DEFAULT_URL;
  if (!/^https?:\/\//.test(url)) throw new CliInputError([`--url: got ${JSON.stringify(url)}; expected an http:// or https:// URL`]);
  return url;
}

/**
 * The API token: `--token-file`, else `--token`, else WATTPRINT_TOKEN; an empty value counts as not
 * given, so `--token "$TOKEN"` with TOKEN unset does not hide the variable. Undefined when there is none.
 */
export function collectorToken(
  options: Pick<CollectorOptions, 'token' | 'tokenFile'>,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string,
): string | undefined {
  if (options.tokenFile !== undefined) {
    if (options.token) throw new CliInputError(['--token and --token-file: got both; expected one']);
    let text: string;
    try {
      text = readFile(options.tokenFile);
    } catch (error) {
      throw new CliInputError([
        `--token-file: cannot read ${options.tokenFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); expected a file holding the token`,
      ]);
    }
    const token = text.trim();
    if (token === '' || /\s/.test(token))
      throw new CliInputError([
        `--token-file: ${options.tokenFile} holds ${token === '' ? 'nothing' : 'more than one word'}; expected the token alone`,
      ]);
    return token;
  }
  return options.token || env.WATTPRINT_TOKEN || undefined;
}

/** URL, token (null when none was given) and timeout from a command's options and the environment. */
export function collectorTarget(
  options: CollectorOptions,
  env: Record<string, string | undefined>,
  readFile: (path: string) => string,
): Omit<CollectorTarget, 'token'> & { token: string | undefined } {
  return {
    url: collectorUrl(options.url, env),
    token: collectorToken(options, env, readFile),
    timeoutMs: Math.round((options.timeout ?? DEFAULT_TIMEOUT_S) * 1000),
  };
}

/** Sends one request; a collector that cannot be reached or does not answer in time becomes an error the person can act on. */
export async function collectorRequest(
  target: CollectorTarget,
  method: HttpMethod,
  path: string,
  query: Query = {},
  options: SendOptions = {},
): Promise<CollectorAnswer> {
  const client = new CollectorClient({ baseUrl: target.url, token: target.token, timeoutMs: target.timeoutMs });
  try {
    return await client.send(method, path, query, options);
  } catch (error) {
    if (error instanceof CollectorUnreachableError) throw new CliInputError([`${error.message} (set --url or WATTPRINT_URL)`]);
    if (error instanceof CollectorTimeoutError) throw new CliInputError([`${error.message} (a slow collector: raise --timeout)`]);
    throw error;
  }
}

/** A 401 or 403 as one line that says which token to pass; null for any other status. */
export function refusedToken(answer: CollectorAnswer, needed: string): CliInputError | null {
  if (answer.status !== 401 && answer.status !== 403) return null;
  return new CliInputError([
    `the collector refused the token (${answer.status}): ${messageOf(answer)} (set --token, --token-file or WATTPRINT_TOKEN to ${needed})`,
  ]);
}
