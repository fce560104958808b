import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FakeProcess {
  /** Written NUL-separated as the kernel does; omitted to stand for an environ we may not read. */
  environ?: Record<string, string>;
  cgroup: string;
  cpuTicks: number;
  startTime?: number;
  comm?: string;
}

/** A /proc tree as the kernel lays it out, holding only the files the agent reads. */
export function writeProcTree(root: string, processes: Record<number, FakeProcess>, busyTicks: number): void {
  mkdirSync(root, { recursive: true });
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice
  writeFileSync(join(root, 'stat'), `cpu  ${busyTicks - 300} 0 300 990000 120 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\nintr 0\n`);
  for (const [pid, p] of Object.entries(processes)) {
    const dir = join(root, pid);
    mkdirSync(dir, { recursive: true });
    if (p.environ)
      writeFileSync(
        join(dir, 'environ'),
        Object.entries(p.environ)
          .map(([k, v]) => `${k}=${v}\0`)
          .join(''),
      );
    writeFileSync(join(dir, 'cgroup'), p.cgroup);
    const utime = Math.floor(p.cpuTicks * 0.8);
    const stime = p.cpuTicks - utime;
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal starttime …
    writeFileSync(
      join(dir, 'stat'),
      `${pid} (${p.comm ?? 'python3'}) S 1 ${pid} ${pid} 0 -1 4194560 9000 0 0 0 ${utime} ${stime} 0 0 20 0 8 0 ${p.startTime ?? 5000} 123456789 2048 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 3 0 0 0 0 0\n`,
    );
  }
}

export const SLURM_V2 = (job: string) => `0::/system.slice/slurmstepd.scope/job_${job}/step_0/user/task_0\n`;
export const K8S_V2 = (uid: string) =>
  `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid.replace(/-/g, '_')}.slice/cri-containerd-3f9a.scope\n`;
