// CPU and memory of processes and of the machine, from /proc (Linux), for the cluster benchmark.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in seconds, or null when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // fields 14 and 15 of stat(5)
  } catch {
    return null;
  }
}

/** Resident and peak resident memory in bytes (VmRSS, VmHWM of /proc/<pid>/status). */
export function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number((new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status) ?? [0, 0])[1]) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

/** Pids of every process whose command name is `comm` (e.g. every PostgreSQL backend). */
export function pidsNamed(comm) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Busy and total jiffies of the whole machine (first line of /proc/stat). */
export function machineTicks() {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const idle = values[3] + (values[4] ?? 0); // idle + iowait
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Holds a process (all its threads) to `cores` of CPU with a CFS quota in a cgroup of its own, so
 * that on a small machine each collector can be given the CPU it would have on a core of its own,
 * and the rest is left to the generator, Redis and PostgreSQL. cgroup v1's cpu controller
 * (/sys/fs/cgroup/cpu) or cgroup v2 with cpu enabled; needs write access (root). Returns a function
 * that removes the cgroup once the process has exited. Throws, saying what is missing, otherwise.
 */
export function capCpu(pid, cores, name) {
  const periodUs = 100_000;
  const quotaUs = Math.max(1000, Math.round(cores * periodUs));
  const v1 = '/sys/fs/cgroup/cpu';
  const v2 = '/sys/fs/cgroup';
  let dir;
  if (existsSync(join(v1, 'cpu.cfs_quota_us'))) {
    dir = join(v1, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.cfs_period_us'), String(periodUs));
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quotaUs));
  } else if (
    existsSync(join(v2, 'cgroup.controllers')) &&
    readFileSync(join(v2, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')
  ) {
    dir = join(v2, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'cpu.max'), `${quotaUs} ${periodUs}`);
  } else {
    throw new Error(
      '--collector-cpu needs a cgroup cpu controller: cgroup v1 at /sys/fs/cgroup/cpu, or cgroup v2 with "cpu" in /sys/fs/cgroup/cgroup.controllers',
    );
  }
  writeFileSync(join(dir, 'cgroup.procs'), String(pid));
  return () => {
    try {
      rmdirSync(dir);
    } catch {
      // still has a process, or already gone: the kernel keeps an empty cgroup harmlessly
    }
  };
}
