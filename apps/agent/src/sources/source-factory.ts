import { access, constants } from 'node:fs/promises';
import type { SampleSource } from '@wattprint/protocol';
import type { AgentConfig } from '../config/agent-config';
import { ConfigError } from '../config/agent-config';
import type { Logger } from '../logger';
import { type AgentMetrics, noMetrics } from '../metrics/agent-metrics';
import type { EnergySource } from './energy-source';
import { NvidiaSmiSource } from './nvidia-smi/nvidia-smi.source';
import { RaplSource } from './rapl/rapl.source';
import { ReplaySource } from './replay/replay.source';

/** NVML (and koffi, its native FFI) is loaded only on nodes that use it: 6 MB less on the others. */
async function nvmlSource(config: AgentConfig, log: Logger, metrics: AgentMetrics): Promise<EnergySource> {
  const { NvmlSource } = await import('./nvml/nvml.source');
  return new NvmlSource({ libraryPath: config.nvmlLib, log, onError: () => metrics.sourceError('nvml') });
}

export async function createSource(kind: SampleSource, config: AgentConfig, log: Logger, metrics = noMetrics): Promise<EnergySource> {
  switch (kind) {
    case 'nvml':
      return nvmlSource(config, log, metrics);
    case 'nvidia-smi':
      return new NvidiaSmiSource({
        command: config.nvidiaSmi,
        intervalMs: config.intervalMs,
        appsMs: config.nvidiaSmiAppsMs,
        log,
        onError: () => metrics.sourceError('nvidia-smi'),
      });
    case 'rapl':
      return new RaplSource({ root: config.raplRoot, log, onError: () => metrics.sourceError('rapl') });
    case 'replay':
      if (!config.replay) throw new ConfigError(['WATTPRINT_SOURCES: replay needs WATTPRINT_REPLAY (the trace file)']);
      return new ReplaySource({ path: config.replay, speed: config.replaySpeed, log });
  }
}

export interface SourceChoice {
  sources: EnergySource[];
  problems: string[];
}

/**
 * The sources to run: those WATTPRINT_SOURCES names, else every source found present: NVML where the
 * library loads, else nvidia-smi where it answers (never both: they read the same GPUs), RAPL where the
 * powercap tree exists, replay where a trace is given.
 */
export async function chooseSources(config: AgentConfig, log: Logger, metrics: AgentMetrics = noMetrics): Promise<SourceChoice> {
  if (config.sources) {
    if (config.sources.includes('nvml') && config.sources.includes('nvidia-smi')) {
      throw new ConfigError(['WATTPRINT_SOURCES: nvml and nvidia-smi read the same GPUs and would count them twice; name one']);
    }
    return { sources: await Promise.all(config.sources.map((k) => createSource(k, config, log, metrics))), problems: [] };
  }
  const problems: string[] = [];
  const sources: EnergySource[] = [];
  try {
    const nvml = await nvmlSource(config, log, metrics);
    await nvml.start();
    sources.push(nvml);
  } catch (error) {
    problems.push(`nvml (${config.nvmlLib}): ${(error as Error).message}`);
    const smi = await createSource('nvidia-smi', config, log, metrics);
    const probe = await smi.probe();
    if (probe.devices.length > 0) sources.push(smi);
    else problems.push(...probe.problems);
  }
  try {
    await access(config.raplRoot, constants.R_OK);
    sources.push(await createSource('rapl', config, log, metrics));
  } catch {
    problems.push(`rapl: no powercap tree at ${config.raplRoot}`);
  }
  if (config.replay) sources.push(await createSource('replay', config, log, metrics));
  return { sources, problems };
}
