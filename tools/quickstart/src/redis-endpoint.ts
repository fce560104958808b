import { join } from 'node:path';
import { ChildStartError, ManagedProcess, freePort, redisAnswers } from '@wattprint/sim';

/** The one line printed when no Redis can be found or started. */
export function redisInstallHint(ownRedis: boolean): string {
  const why = ownRedis
    ? '--own-redis needs redis-server, which'
    : 'REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and redis-server';
  return `no Redis: ${why} is not on PATH; install it (apt-get install redis-server, or brew install redis)${ownRedis ? '' : ' or set REDIS_URL'}`;
}

export class RedisUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnavailableError';
  }
}

/** The Redis the quick start uses, and the private server it started, if any. */
export interface RedisEndpoint {
  url: string;
  /** Where it came from, for the banner. */
  origin: 'REDIS_URL' | 'local' | 'started';
  server: ManagedProcess | null;
}

/** Where to look for Redis, in order. Pure, so the rule is tested on its own. */
export function redisCandidates(env: { REDIS_URL?: string }, ownRedis: boolean): Array<'REDIS_URL' | 'local' | 'start'> {
  if (ownRedis) return ['start'];
  if (env.REDIS_URL) return ['REDIS_URL'];
  return ['local', 'start'];
}

/** A URL fit to print: the password replaced. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** Starts `redis-server` from PATH on a free port, without persistence, and waits until it answers. */
async function startRedisServer(logDir: string, env: NodeJS.ProcessEnv, ownRedis: boolean): Promise<RedisEndpoint> {
  const port = await freePort();
  const server = new ManagedProcess({
    name: 'redis-server',
    command: 'redis-server',
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'],
    env,
    logFile: join(logDir, 'redis.log'),
    ownGroup: true,
  });
  server.start();
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  try {
    while (Date.now() < deadline) {
      // An exit or a spawn failure (ENOENT) ends the wait at once.
      const exited = await Promise.race([server.exited().then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 100))]);
      if (exited) throw new RedisUnavailableError(`redis-server exited at start; see ${join(logDir, 'redis.log')}`);
      if (await redisAnswers(url, 500)) return { url, origin: 'started', server };
    }
  } catch (error) {
    if (error instanceof ChildStartError && error.code === 'ENOENT') throw new RedisUnavailableError(redisInstallHint(ownRedis));
    throw error;
  }
  await server.stop('SIGKILL');
  throw new RedisUnavailableError(`redis-server on port ${port} did not answer PING within 10 s; see ${join(logDir, 'redis.log')}`);
}

/** REDIS_URL if set; else the local Redis on 6379 if it answers; else a private redis-server (stopped by the caller). */
export async function resolveRedis(env: NodeJS.ProcessEnv, ownRedis: boolean, logDir: string): Promise<RedisEndpoint> {
  for (const candidate of redisCandidates(env, ownRedis)) {
    if (candidate === 'REDIS_URL') {
      const url = env.REDIS_URL!;
      if (await redisAnswers(url)) return { url, origin: 'REDIS_URL', server: null };
      throw new RedisUnavailableError(`REDIS_URL=${redactRedisUrl(url)} does not answer PING; start that Redis, or unset REDIS_URL`);
    }
    if (candidate === 'local') {
      const url = 'redis://127.0.0.1:6379';
      if (await redisAnswers(url)) return { url, origin: 'local', server: null };
    }
    if (candidate === 'start') return startRedisServer(logDir, env, ownRedis);
  }
  throw new RedisUnavailableError(redisInstallHint(ownRedis));
}
