import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Reads the few /proc files attribution needs; every path under a configurable root (fixtures in tests). */
export class ProcReader {
  constructor(readonly root: string) {}

  async pids(): Promise<number[]> {
    const entries = await readdir(this.root);
    return entries.filter((e) => /^\d+$/.test(e)).map(Number);
  }

  /** Raw `/proc/<pid>/environ`, or null when the process is gone or not ours to read. */
  async environ(pid: number): Promise<string | null> {
    return this.readOrNull(join(this.root, String(pid), 'environ'));
  }

  async cgroup(pid: number): Promise<string | null> {
    return this.readOrNull(join(this.root, String(pid), 'cgroup'));
  }

  /** Start time and CPU ticks (utime + stime) from `/proc/<pid>/stat`; null when the process is gone. */
  async stat(pid: number): Promise<{ startTime: number; cpuTicks: number } | null> {
    const text = await this.readOrNull(join(this.root, String(pid), 'stat'));
    return text === null ? null : parseProcStat(text);
  }

  /** Busy ticks of the whole machine from the `cpu` line of `/proc/stat`. */
  async busyTicks(): Promise<number | null> {
    const text = await this.readOrNull(join(this.root, 'stat'));
    return text === null ? null : parseBusyTicks(text);
  }

  private async readOrNull(path: string): Promise<string | null> {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return null;
    }
  }
}

/** Fields of `/proc/<pid>/stat` after the command name, which may itself hold spaces and parentheses. */
export function parseProcStat(text: string): { startTime: number; cpuTicks: number } | null {
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // f[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const startTime = Number(f[19]);
  if (![utime, stime, startTime].every(Number.isFinite)) return null;
  return { startTime, cpuTicks: utime + stime };
}

/** user + nice + system + irq + softirq + steal of the aggregate `cpu` line (guest time is inside user). */
export function parseBusyTicks(text: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const parts = [user, nice, system, irq ?? 0, softirq ?? 0, steal ?? 0];
  return parts.every(Number.isFinite) ? parts.reduce((a, b) => a + b, 0) : null;
}
