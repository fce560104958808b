import type { AgentConfig } from './config/agent-config';
import type { Logger } from './logger';
import type { DeviceReading } from './sources/device-interval';
import type { EnergySource } from './sources/energy-source';
import { createSource } from './sources/source-factory';
import { SampleSource } from '@wattprint/protocol';

export interface ProbeReport {
  devices: DeviceReading[];
  problems: string[];
}

/**
 * What `wattprint-agent probe` prints: every device found, its source, one reading, and every problem met
 * (a source missing, RAPL not readable…). With no WATTPRINT_SOURCES, every source is tried.
 */
export async function probe(config: AgentConfig, log: Logger): Promise<ProbeReport> {
  const kinds = config.sources ?? SampleSource.options.filter((k) => k !== 'replay' || config.replay);
  const problems: string[] = [];
  const devices: DeviceReading[] = [];
  let gpuSeen = false;
  for (const kind of kinds) {
    // Without an explicit list, nvidia-smi is the fallback of NVML: asked only when NVML found nothing.
    if (!config.sources && kind === 'nvidia-smi' && gpuSeen) continue;
    let source: EnergySource | null = null;
    try {
      source = await createSource(kind, config, log);
      const result = await source.probe();
      devices.push(...result.devices);
      problems.push(...result.problems);
      if (result.devices.some((d) => d.kind === 'gpu')) gpuSeen = true;
    } catch (error) {
      problems.push(`${kind}: ${(error as Error).message}`);
    } finally {
      await source?.stop().catch(() => undefined);
    }
  }
  return { devices, problems };
}

const fmt = (v: number | null, unit: string, digits = 1) => (v === null ? 'n/a' : `${v.toFixed(digits)} ${unit}`);

export function formatProbe(report: ProbeReport): string {
  const lines = report.devices.map(
    (d) =>
      `${d.id.padEnd(8)} ${d.kind.padEnd(5)} ${d.source.padEnd(11)} ${fmt(d.powerW, 'W').padStart(10)} ${fmt(d.utilization, '%', 0).padStart(6)} ${fmt(d.memoryUsedMiB, 'MiB', 0).padStart(10)}  ${d.name}${d.uuid ? ` (${d.uuid})` : ''}`,
  );
  if (lines.length === 0) lines.push('no device read');
  for (const p of report.problems) lines.push(`problem: ${p}`);
  return `${lines.join('\n')}\n`;
}
