// Small helpers the benchmark scripts share: they run as plain node scripts, so they cannot use
// tools/sim (TypeScript, and not an npm workspace); these few lines stand in for it.
import { createServer } from 'node:net';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP port free on 127.0.0.1 right now (the OS picks it), for a child process to listen on. */
export async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Polls `check` every `everyMs` until it returns something truthy, which it returns; throws after `timeoutMs`. */
export async function waitUntil(what, check, timeoutMs, everyMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
