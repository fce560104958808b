import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CliInputError } from '../cli-error';
import { collectorRequest, collectorTarget, collectorToken } from './collector-http';

const files: Record<string, string> = { '/run/secrets/wp': 'wp_from_file\n', '/empty': '  \n', '/two': 'a b\n' };
const readFile = (path: string) => {
  if (!(path in files)) throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
  return files[path];
};

function problem(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof CliInputError) return error.lines;
    throw error;
  }
  throw new Error('expected a CliInputError');
}

describe('collectorToken', () => {
  it('takes --token, else WATTPRINT_TOKEN; an empty --token does not hide the variable', () => {
    expect(collectorToken({ token: 'wp_flag' }, { WATTPRINT_TOKEN: 'wp_env' }, readFile)).toBe('wp_flag');
    expect(collectorToken({}, { WATTPRINT_TOKEN: 'wp_env' }, readFile)).toBe('wp_env');
    // `--token "$TOKEN"` with TOKEN unset: the README's quick start exports WATTPRINT_TOKEN, which must win.
    expect(collectorToken({ token: '' }, { WATTPRINT_TOKEN: 'wp_env' }, readFile)).toBe('wp_env');
    expect(collectorToken({ token: '' }, { WATTPRINT_TOKEN: '' }, readFile)).toBeUndefined();
  });

  it('reads --token-file, keeping the token off the command line and out of the environment', () => {
    expect(collectorToken({ tokenFile: '/run/secrets/wp' }, { WATTPRINT_TOKEN: 'wp_env' }, readFile)).toBe('wp_from_file');
  });

  it('says what is wrong with a token file, and refuses two tokens', () => {
    expect(problem(() => collectorToken({ tokenFile: '/nope' }, {}, readFile))).toEqual([
      '--token-file: cannot read /nope (ENOENT); expected a file holding the token',
    ]);
    expect(problem(() => collectorToken({ tokenFile: '/empty' }, {}, readFile))).toEqual([
      '--token-file: /empty holds nothing; expected the token alone',
    ]);
    expect(problem(() => collectorToken({ tokenFile: '/two' }, {}, readFile))).toEqual([
      '--token-file: /two holds more than one word; expected the token alone',
    ]);
    expect(problem(() => collectorToken({ token: 'x', tokenFile: '/run/secrets/wp' }, {}, readFile))).toEqual([
      '--token and --token-file: got both; expected one',
    ]);
  });
});

describe('collectorTarget', () => {
  it('takes the URL from --url, else WATTPRINT_URL, else the default, and the timeout in seconds', () => {
    expect(collectorTarget({}, {}, readFile)).toEqual({ url: 'http://127.0.0.1:8080', token: undefined, timeoutMs: 30_000 });
    expect(collectorTarget({ timeout: 2.5 }, { WATTPRINT_URL: 'https://c.example' }, readFile)).toMatchObject({
      url: 'https://c.example',
      timeoutMs: 2500,
    });
    expect(problem(() => collectorTarget({ url: 'collector:8080' }, {}, readFile))).toEqual([
      '--url: got "collector:8080"; expected an http:// or https:// URL',
    ]);
  });
});

describe('collectorRequest', () => {
  let server: Server;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('gives up on a collector that does not answer, saying how long it waited and what to do', async () => {
    server = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const error = await collectorRequest({ url, token: 't', timeoutMs: 150 }, 'GET', '/api/v1/jobs').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliInputError);
    expect((error as CliInputError).lines).toEqual([
      `the collector at ${url} did not answer within 0.15 s (a slow collector: raise --timeout)`,
    ]);
  });
});
