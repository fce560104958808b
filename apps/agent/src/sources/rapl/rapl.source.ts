import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { wrappingDelta } from '../../energy/energy-math';
import type { Logger } from '../../logger';
import { OnceLogger } from '../../logger';
import type { DeviceInterval, DeviceReading, ProbeResult } from '../device-interval';
import type { EnergySource } from '../energy-source';
import { isRaplZoneDir, selectRaplDomains, type RaplDomain } from './rapl-domains';

/** The file access of the RAPL source, handed in so tests can stand in a reader that fails as the kernel does. */
export interface PowercapFs {
  readText(path: string): Promise<string>;
  list(path: string): Promise<string[]>;
}

export const nodePowercapFs: PowercapFs = {
  readText: (path) => readFile(path, 'utf8'),
  list: (path) => readdir(path),
};

export interface RaplOptions {
  root: string;
  log: Logger;
  fs?: PowercapFs;
  /** Called at each counter read that fails (for the agent's metrics). */
  onError?: () => void;
}

interface DomainState {
  domain: RaplDomain;
  rangeUj: number;
  last: { t: number; uj: number } | null;
  unreadable: boolean;
}

function describeReadError(path: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'EACCES' || error.code === 'EPERM') {
    return `RAPL: ${path} not readable (${error.code}): run the agent as root, or grant it read access to energy_uj`;
  }
  return `RAPL: ${path} not readable (${error.code ?? 'error'}): ${error.message}`;
}

/**
 * CPU package and DRAM energy from the powercap sysfs counters (`energy_uj`), wrap-around undone with
 * `max_energy_range_uj`. An unreadable counter is reported once and left out; the GPUs carry on.
 */
export class RaplSource implements EnergySource {
  readonly kind = 'rapl' as const;
  private readonly fs: PowercapFs;
  private readonly once: OnceLogger;
  private domains: DomainState[] = [];
  private readonly problems: string[] = [];

  constructor(private readonly opts: RaplOptions) {
    this.fs = opts.fs ?? nodePowercapFs;
    this.once = new OnceLogger(opts.log);
  }

  /** Problems met so far (unreadable counters, missing root), each once. */
  get reportedProblems(): string[] {
    return [...this.problems];
  }

  private problem(key: string, message: string): void {
    if (this.once.warn(key, message)) this.problems.push(message);
  }

  async start(): Promise<void> {
    let entries: string[];
    try {
      entries = (await this.fs.list(this.opts.root)).filter(isRaplZoneDir);
    } catch (error) {
      this.problem(
        'root',
        `RAPL: no powercap tree at ${this.opts.root} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
      return;
    }
    const zones = [];
    for (const zone of entries) {
      try {
        zones.push({ zone, name: (await this.fs.readText(join(this.opts.root, zone, 'name'))).trim() });
      } catch (error) {
        this.problem(`name:${zone}`, describeReadError(join(this.opts.root, zone, 'name'), error as NodeJS.ErrnoException));
      }
    }
    this.domains = [];
    for (const domain of selectRaplDomains(zones)) {
      const rangePath = join(this.opts.root, domain.zone, 'max_energy_range_uj');
      try {
        const rangeUj = Number((await this.fs.readText(rangePath)).trim());
        if (!Number.isFinite(rangeUj) || rangeUj <= 0) throw new Error(`expected a positive number, got ${rangeUj}`);
        this.domains.push({ domain, rangeUj, last: null, unreadable: false });
      } catch (error) {
        this.problem(`range:${domain.zone}`, describeReadError(rangePath, error as NodeJS.ErrnoException));
      }
    }
    if (entries.length > 0 && this.domains.length === 0 && this.problems.length === 0) {
      this.problem('none', `RAPL: no package or dram zone under ${this.opts.root}`);
    }
  }

  private async readUj(state: DomainState): Promise<number | null> {
    const path = join(this.opts.root, state.domain.zone, 'energy_uj');
    try {
      const value = Number((await this.fs.readText(path)).trim());
      if (!Number.isFinite(value) || value < 0) throw Object.assign(new Error(`expected a counter, got ${value}`), { code: 'EINVAL' });
      state.unreadable = false;
      return value;
    } catch (error) {
      state.unreadable = true;
      this.opts.onError?.();
      this.problem(`energy:${state.domain.zone}`, describeReadError(path, error as NodeJS.ErrnoException));
      return null;
    }
  }

  async poll(now: number): Promise<DeviceInterval[]> {
    const out: DeviceInterval[] = [];
    for (const state of this.domains) {
      const uj = await this.readUj(state);
      if (uj === null) {
        state.last = null;
        continue;
      }
      const last = state.last;
      state.last = { t: now, uj };
      if (!last || now <= last.t) continue;
      const energyJ = wrappingDelta(last.uj, uj, state.rangeUj) / 1e6;
      out.push({
        device: { id: state.domain.id, kind: state.domain.kind, name: state.domain.name, uuid: null, source: 'rapl' },
        t0: last.t,
        t1: now,
        energyJ,
        powerW: energyJ / ((now - last.t) / 1000),
        utilization: null,
        memoryUsedMiB: null,
        processes: null,
      });
    }
    return out;
  }

  async probe(sampleMs = 200): Promise<ProbeResult> {
    if (this.domains.length === 0 && this.problems.length === 0) await this.start();
    const t0 = Date.now();
    await this.poll(t0);
    await new Promise((r) => setTimeout(r, sampleMs));
    const intervals = await this.poll(Date.now());
    const devices: DeviceReading[] = intervals.map((i) => ({
      id: i.device.id,
      kind: i.device.kind,
      name: i.device.name,
      uuid: null,
      source: 'rapl',
      powerW: i.powerW,
      utilization: null,
      memoryUsedMiB: null,
    }));
    return { devices, problems: this.reportedProblems };
  }

  async stop(): Promise<void> {
    this.domains = [];
  }
}
