#!/usr/bin/env node
// Agent overhead benchmark: 8 GPUs at 1 Hz through the fake nvidia-smi (serving the H100 capture), publishing
// signed batches to a private local redis-server, for 60 s (BENCH_SECONDS to change). Prints the agent
// process's CPU seconds, % of one core and peak RSS, next to a bare `node` process measured over the same
// time in the same run, as ratios. Targets: under 1 % of one core and under 80 MB.
//
//   npx tsc -b apps/agent/tsconfig.lib.json && node tools/bench/agent.mjs
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './bench-support.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const agentDir = join(repo, 'apps/agent');
const seconds = Number(process.env.BENCH_SECONDS ?? 60);
const gpus = Number(process.env.BENCH_GPUS ?? 8);
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
const tmp = mkdtempSync(join(tmpdir(), 'wattprint-bench-'));

/** CPU seconds (user + system, this process only) and peak RSS of a running process, from /proc. */
function usage(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(f[11]) + Number(f[12])) / CLK_TCK;
  const children = (Number(f[13]) + Number(f[14])) / CLK_TCK;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpu, children, peakRssMb: Number(hwm[1]) / 1024 };
}

// Workspace links may be missing where node_modules was not made by `npm ci`.
let nodePath = '';
if (!existsSync(join(repo, 'node_modules/@wattprint/protocol'))) {
  nodePath = join(tmp, 'node_path');
  mkdirSync(join(nodePath, '@wattprint'), { recursive: true });
  symlinkSync(join(repo, 'libs/protocol'), join(nodePath, '@wattprint/protocol'));
}

// A /proc tree holding the capture's three GPU processes, so attribution runs as on a busy node.
const proc = join(tmp, 'proc');
const procs = { 11327: 'SLURM_JOB_ID=1234\0SLURM_JOB_USER=ada\0', 11328: 'WATTPRINT_JOB_ID=sweep-7\0', 11345: 'SLURM_JOB_ID=1234\0' };
mkdirSync(proc);
writeFileSync(join(proc, 'stat'), 'cpu  1000 0 300 990000 120 0 0 0 0 0\n');
for (const [pid, environ] of Object.entries(procs)) {
  mkdirSync(join(proc, pid));
  writeFileSync(join(proc, pid, 'environ'), environ);
  writeFileSync(join(proc, pid, 'cgroup'), `0::/system.slice/slurmstepd.scope/job_1234/step_0\n`);
  writeFileSync(join(proc, pid, 'stat'), `${pid} (python3) S 1 1 1 0 -1 0 0 0 0 0 100 20 0 0 20 0 8 0 5000 0 0\n`);
}

const port = await freePort();
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp], {
  stdio: 'ignore',
});
await new Promise((r) => setTimeout(r, 500));

const env = {
  PATH: process.env.PATH,
  NODE_PATH: nodePath,
  REDIS_URL: `redis://127.0.0.1:${port}`,
  WATTPRINT_AGENT_ID: 'bench-node',
  WATTPRINT_AGENT_KEY: 'bench-key-0123456789abcdef',
  WATTPRINT_INTERVAL_MS: '1000',
  WATTPRINT_FLUSH_MS: '5000',
  WATTPRINT_SOURCES: 'nvidia-smi',
  WATTPRINT_SPOOL_DIR: join(tmp, 'spool'),
  WATTPRINT_NVIDIA_SMI: join(agentDir, 'test/fixtures/fake-nvidia-smi.js'),
  WATTPRINT_PROC_ROOT: proc,
  WATTPRINT_LOG_LEVEL: 'warn',
  FAKE_SMI_CAPTURE: join(agentDir, 'test/fixtures/nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt'),
  FAKE_SMI_PHASE: 'load',
  FAKE_SMI_GPUS: String(gpus),
};
const agent = spawn(process.execPath, [join(agentDir, 'bin/wattprint-agent.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
const baseline = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });

// Start-up (loading modules, first connection) is measured apart from the steady state.
await new Promise((r) => setTimeout(r, 3000));
const a0 = usage(agent.pid);
const b0 = usage(baseline.pid);
const t0 = Date.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const wall = (Date.now() - t0) / 1000;
const a1 = usage(agent.pid);
const b1 = usage(baseline.pid);

const { default: IORedis } = await import(join(repo, 'node_modules/ioredis/built/index.js'));
const client = new IORedis(env.REDIS_URL);
const batches = await client.llen('{wattprint}:samples:wait');
const events = await client.llen('{wattprint}:job-events:wait');
client.disconnect();
agent.kill('SIGTERM');
baseline.kill('SIGKILL');
await new Promise((r) => agent.once('exit', r));
redis.kill('SIGKILL');

const agentCpu = a1.cpu - a0.cpu;
const baseCpu = b1.cpu - b0.cpu;
const pct = (cpu) => (100 * cpu) / wall;
const row = (name, cpu, rss) =>
  `${name.padEnd(26)} ${cpu.toFixed(2).padStart(8)} s ${pct(cpu).toFixed(3).padStart(8)} % ${rss.toFixed(1).padStart(8)} MB`;
console.log(`agent overhead: ${gpus} GPUs at 1 Hz through the fake nvidia-smi for ${wall.toFixed(1)} s (steady state, after 3 s start-up)`);
console.log(`${''.padEnd(26)} ${'CPU'.padStart(10)} ${'of 1 core'.padStart(10)} ${'peak RSS'.padStart(11)}`);
console.log(row('wattprint-agent', agentCpu, a1.peakRssMb));
console.log(row('bare node (baseline)', baseCpu, b1.peakRssMb));
console.log(
  `ratio agent / bare node: CPU ${(agentCpu / Math.max(baseCpu, 1 / CLK_TCK)).toFixed(1)}x, RSS ${(a1.peakRssMb / b1.peakRssMb).toFixed(2)}x`,
);
console.log(
  `agent start-up CPU: ${a0.cpu.toFixed(2)} s; fake nvidia-smi children (not the agent's cost): ${(a1.children - a0.children).toFixed(2)} s`,
);
console.log(`published: ${batches} batches, ${events} job events on the queues`);
const pass = pct(agentCpu) < 1 && a1.peakRssMb < 80 && batches > 0;
console.log(`targets (< 1 % of one core, < 80 MB): ${pass ? 'met' : 'NOT met'}`);
process.exit(pass ? 0 : 1);
