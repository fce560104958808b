import { execFile } from 'node:child_process';
import { PowerIntegrator } from '../../energy/power-integrator';
import type { Logger } from '../../logger';
import { OnceLogger } from '../../logger';
import type { DeviceInfo, DeviceInterval, DeviceProcess, ProbeResult } from '../device-interval';
import type { EnergySource } from '../energy-source';
import { LineStream } from './nvidia-smi-stream';
import {
  APPS_FIELDS,
  CsvColumns,
  GPU_FIELDS,
  type GpuRow,
  isHeaderLine,
  parseAppsOutput,
  parseGpuOutput,
  parseGpuRow,
  powerForEnergy,
} from './nvidia-smi-csv';

export interface NvidiaSmiOptions {
  command: string;
  intervalMs: number;
  /** How often `--query-compute-apps` is run for the processes on each GPU. */
  appsMs: number;
  log: Logger;
  /** Gives up on a silent child after this long; default 3 intervals, at least 5 s. */
  stallMs?: number;
  backoffMaxMs?: number;
  /** Environment of the nvidia-smi children; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** Called at each fault: a child that died or hung, an unreadable row, a failed process listing (for the agent's metrics). */
  onError?: () => void;
}

const OPTIONAL_FIELDS = ['power.draw.average'];

export function execText(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8', env }, (error, stdout, stderr) => {
      if (error) {
        const detail = `${stdout}${stderr}`.trim().split('\n')[0];
        reject(new Error(detail ? `${error.message.split('\n')[0]}: ${detail}` : error.message));
      } else resolve(stdout);
    });
  });
}

/**
 * GPUs through one long-running `nvidia-smi --query-gpu … --format=csv -lms <interval>`. Energy is the
 * trapezoid over `power.draw.average` where the card reports it, else over `power.draw`, between the times
 * rows arrived (nvidia-smi's own timestamp has no time zone, so the agent's clock is used).
 */
export class NvidiaSmiSource implements EnergySource {
  readonly kind = 'nvidia-smi' as const;
  private fields: string[] = [...GPU_FIELDS];
  private columns: CsvColumns | null = null;
  private readonly gpus = new Map<number, { info: DeviceInfo; integrator: PowerIntegrator; last: GpuRow }>();
  private processesByUuid = new Map<string, DeviceProcess[]>();
  private appsDueAt = 0;
  private appsListed = false;
  private appsRunning: Promise<void> | null = null;
  private readonly once: OnceLogger;
  private stream: LineStream | null = null;

  constructor(private readonly opts: NvidiaSmiOptions) {
    this.once = new OnceLogger(opts.log);
  }

  get streamStats(): { starts: number; restarts: number; pid: number | null } {
    return { starts: this.stream?.starts ?? 0, restarts: this.stream?.restarts ?? 0, pid: this.stream?.pid ?? null };
  }

  async start(): Promise<void> {
    const stallMs = this.opts.stallMs ?? Math.max(3 * this.opts.intervalMs, 5000);
    this.stream = new LineStream({
      command: this.opts.command,
      args: () => [`--query-gpu=${this.fields.join(',')}`, '--format=csv', '-lms', String(this.opts.intervalMs)],
      stallMs,
      backoffMinMs: Math.min(1000, this.opts.intervalMs),
      backoffMaxMs: this.opts.backoffMaxMs ?? 60_000,
      onLine: (line, at) => this.onLine(line, at),
      onExit: (output) => this.adaptFields(output),
      log: this.opts.log,
      env: this.opts.env,
      onFault: () => this.opts.onError?.(),
    });
    this.stream.start();
  }

  /** Older drivers refuse fields they do not know (`Field "power.draw.average" is not a valid field`). */
  private adaptFields(output: string): void {
    const refused = /Field "([^"]+)" is not a valid field/.exec(output)?.[1];
    if (refused && OPTIONAL_FIELDS.includes(refused) && this.fields.includes(refused)) {
      this.opts.log.warn('driver does not know a field; asking without it', { field: refused });
      this.fields = this.fields.filter((f) => f !== refused);
    }
  }

  private onLine(line: string, receivedAt: number): void {
    if (this.columns === null || isHeaderLine(line, 'index')) {
      if (isHeaderLine(line, 'index')) this.columns = CsvColumns.fromHeaderLine(line);
      else this.once.warn(`nvsmi-noheader`, 'nvidia-smi printed a row before its header; ignored', { line: line.slice(0, 200) });
      return;
    }
    let row: GpuRow;
    try {
      row = parseGpuRow(this.columns, line);
    } catch (error) {
      this.opts.onError?.();
      this.once.warn(`nvsmi-parse:${(error as Error).message}`, 'unparseable nvidia-smi row skipped', { error: (error as Error).message });
      return;
    }
    let gpu = this.gpus.get(row.index);
    if (!gpu) {
      gpu = {
        info: { id: `gpu${row.index}`, kind: 'gpu', name: row.name, uuid: row.uuid, source: 'nvidia-smi' },
        integrator: new PowerIntegrator(Math.max(3 * this.opts.intervalMs, 5000)),
        last: row,
      };
      this.gpus.set(row.index, gpu);
    }
    gpu.last = row;
    const power = powerForEnergy(row);
    if (power === null)
      this.once.warn(`nvsmi-nopower:${row.index}`, 'GPU reports no power; its energy is not measured', {
        gpu: row.index,
        missing: row.missing,
      });
    else gpu.integrator.add(receivedAt, power);
  }

  async poll(now: number): Promise<DeviceInterval[]> {
    if (now >= this.appsDueAt && !this.appsRunning) {
      this.appsDueAt = now + this.opts.appsMs;
      this.appsRunning = this.refreshProcesses().finally(() => (this.appsRunning = null));
      // The first poll waits for the process list so attribution has holders from the start.
      if (!this.appsListed) await this.appsRunning;
    }
    const out: DeviceInterval[] = [];
    for (const gpu of this.gpus.values()) {
      for (const span of gpu.integrator.take()) {
        out.push({
          device: gpu.info,
          t0: span.t0,
          t1: span.t1,
          energyJ: span.energyJ,
          powerW: span.energyJ / ((span.t1 - span.t0) / 1000),
          utilization: gpu.last.utilization,
          memoryUsedMiB: gpu.last.memoryUsedMiB,
          processes: gpu.info.uuid ? (this.processesByUuid.get(gpu.info.uuid) ?? []) : [],
        });
      }
    }
    return out;
  }

  private async refreshProcesses(): Promise<void> {
    try {
      const text = await execText(
        this.opts.command,
        [`--query-compute-apps=${APPS_FIELDS.join(',')}`, '--format=csv,nounits'],
        10_000,
        this.opts.env,
      );
      const byUuid = new Map<string, DeviceProcess[]>();
      for (const app of parseAppsOutput(text)) {
        const list = byUuid.get(app.gpuUuid) ?? [];
        list.push({ pid: app.pid, usedMemoryMiB: app.usedMemoryMiB, name: app.processName });
        byUuid.set(app.gpuUuid, list);
      }
      this.processesByUuid = byUuid;
      this.appsListed = true;
      this.once.forget('nvsmi-apps');
    } catch (error) {
      this.opts.onError?.();
      this.once.warn('nvsmi-apps', 'cannot list GPU processes; energy goes to idle until it works', { error: (error as Error).message });
    }
  }

  async probe(): Promise<ProbeResult> {
    let rows: GpuRow[];
    try {
      rows = parseGpuOutput(await this.queryOnce());
    } catch (error) {
      return { devices: [], problems: [`nvidia-smi (${this.opts.command}): ${(error as Error).message}`] };
    }
    const problems = rows.flatMap((r) =>
      powerForEnergy(r) === null
        ? [
            `nvidia-smi: gpu${r.index} reports no power (${Object.entries(r.missing)
              .map(([f, t]) => `${f} ${t}`)
              .join(', ')})`,
          ]
        : [],
    );
    return {
      devices: rows.map((r) => ({
        id: `gpu${r.index}`,
        kind: 'gpu' as const,
        name: r.name,
        uuid: r.uuid,
        source: 'nvidia-smi' as const,
        powerW: powerForEnergy(r),
        utilization: r.utilization,
        memoryUsedMiB: r.memoryUsedMiB,
      })),
      problems,
    };
  }

  private async queryOnce(): Promise<string> {
    try {
      return await execText(this.opts.command, [`--query-gpu=${this.fields.join(',')}`, '--format=csv'], 15_000, this.opts.env);
    } catch (error) {
      const before = this.fields.length;
      this.adaptFields((error as Error).message);
      if (this.fields.length === before) throw error;
      return execText(this.opts.command, [`--query-gpu=${this.fields.join(',')}`, '--format=csv'], 15_000, this.opts.env);
    }
  }

  async stop(): Promise<void> {
    this.stream?.stop();
    await this.appsRunning;
  }
}
