// What an enabled AsyncLocalStorage costs every promise of a process (docs/collector.md, "Figures"):
// the same chain of awaited calls timed before and after one AsyncLocalStorage.run(), which turns
// async hooks on for the rest of the process (Node 20). Each mode runs in its own process.
//
//   node tools/bench/async-hooks.mjs [--calls 2000000]
import { execFileSync } from 'node:child_process';
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import { atLeast, benchCommand } from './bench-support.mjs';

const args = benchCommand('async-hooks.mjs', 'What an enabled AsyncLocalStorage costs an awaited call (docs/collector.md)')
  .option('--calls <n>', 'awaited calls timed in each mode', atLeast(1, true), 2_000_000)
  // the parent runs itself once per mode, each in a fresh process
  .option('--mode <mode>', 'one timed mode, in this process: plain or als (run by the parent)')
  .parse()
  .opts();
if (args.mode !== undefined && args.mode !== 'plain' && args.mode !== 'als') {
  console.error(`--mode: got "${args.mode}"; expected plain or als`);
  process.exit(2);
}
const CALLS = args.calls;

async function step(x) {
  return x + 1;
}
async function chain(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = await step(s);
  return s;
}

if (args.mode !== undefined) {
  await chain(CALLS); // warm-up, hooks still off
  if (args.mode === 'als') new AsyncLocalStorage().run({}, () => undefined);
  const started = performance.now();
  await chain(CALLS);
  process.stdout.write(String(((performance.now() - started) * 1e6) / CALLS));
} else {
  const run = (mode) => Number(execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--calls', String(CALLS), '--mode', mode]));
  const plain = run('plain');
  const hooked = run('als');
  console.log(
    `awaited call: ${plain.toFixed(0)} ns without AsyncLocalStorage, ${hooked.toFixed(0)} ns after one run() (${(hooked / plain).toFixed(1)}x, +${(hooked - plain).toFixed(0)} ns)`,
  );
}
