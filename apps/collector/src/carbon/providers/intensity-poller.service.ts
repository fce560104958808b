import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { type CollectorConfig } from '../../config/collector-config';
import { COLLECTOR_CONFIG } from '../../config/config.module';
import { CARBON_CONFIG } from '../carbon.tokens';
import type { CarbonConfig } from '../carbon-config';
import { ClockRepository } from '../../clock/clock.repository';
import { HOUR_MS } from '@wattprint/carbon';
import { type IntensityRecord, IntensityRepository } from '../intensity/intensity.repository';
import { ElectricityMapsClient } from './electricity-maps.client';
import { UkCarbonIntensityClient } from './uk-carbon-intensity.client';
import { WattTimeClient } from './watttime.client';

export interface PollTask {
  /** e.g. `electricitymaps history DE`. */
  name: string;
  fetch(now: number): Promise<IntensityRecord[]>;
}

export interface PollReport {
  stored: number;
  failures: Array<{ task: string; error: string }>;
}

/** The requests one poll makes, from the configured providers and regions. */
export function pollTasks(config: CarbonConfig): PollTask[] {
  const tasks: PollTask[] = [];
  if (config.electricityMaps) {
    const em = new ElectricityMapsClient(config.electricityMaps, config.requestTimeoutMs);
    for (const zone of config.electricityMaps.zones) {
      tasks.push({ name: `electricitymaps latest ${zone.provider}`, fetch: (now) => em.latest(zone, now) });
      tasks.push({ name: `electricitymaps history ${zone.provider}`, fetch: (now) => em.history(zone, now) });
      tasks.push({ name: `electricitymaps forecast ${zone.provider}`, fetch: () => em.forecast(zone) });
    }
  }
  if (config.wattTime) {
    const wt = new WattTimeClient(config.wattTime, config.requestTimeoutMs);
    for (const region of config.wattTime.regions) {
      tasks.push({ name: `watttime forecast ${region.provider}`, fetch: (now) => wt.forecast(region, now) });
      tasks.push({ name: `watttime historical ${region.provider}`, fetch: (now) => wt.historical(region, now - 24 * HOUR_MS, now, now) });
    }
  }
  if (config.ukCarbonIntensity) {
    const uk = new UkCarbonIntensityClient(config.ukCarbonIntensity, config.requestTimeoutMs);
    tasks.push({ name: 'uk-carbon-intensity pt24h', fetch: (now) => uk.past24h(now, now) });
    tasks.push({ name: 'uk-carbon-intensity fw24h', fetch: (now) => uk.forward24h(now, now) });
  }
  return tasks;
}

/**
 * Polls the configured providers on a schedule and upserts what they answer. Each request stands
 * alone: one that fails (401, 500, a malformed body) is logged and stores nothing, and the others go
 * on. Several replicas polling is harmless (upserts of the same keys), only wasteful, so replicas
 * running as `worker` do not poll.
 */
@Injectable()
export class IntensityPoller implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('IntensityPoller');
  private readonly tasks: PollTask[];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<PollReport> | null = null;

  constructor(
    @Inject(CARBON_CONFIG) private readonly config: CarbonConfig,
    private readonly repo: IntensityRepository,
    private readonly clock: ClockRepository,
    @Optional() @Inject(COLLECTOR_CONFIG) private readonly collector?: CollectorConfig,
  ) {
    this.tasks = pollTasks(config);
  }

  /** Runs every request once and stores each answer on its own; returns what was stored and what failed. */
  async pollOnce(): Promise<PollReport> {
    const report: PollReport = { stored: 0, failures: [] };
    for (const task of this.tasks) {
      try {
        const records = await task.fetch(this.clock.now());
        report.stored += await this.repo.upsert(records);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        report.failures.push({ task: task.name, error: message });
        this.logger.warn(`${task.name}: ${message}`);
      }
    }
    return report;
  }

  onApplicationBootstrap(): void {
    if (this.tasks.length === 0 || this.collector?.role === 'worker') return;
    const tick = () => {
      this.running = this.pollOnce().finally(() => {
        this.running = null;
        if (this.timer !== null) this.timer = setTimeout(tick, this.config.pollMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
