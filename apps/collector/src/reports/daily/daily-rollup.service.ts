import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DAY_MS } from '@wattprint/carbon';
import { Counter, Gauge } from 'prom-client';
import { COLLECTOR_CONFIG } from '../../config/config.module';
import type { CollectorConfig } from '../../config/collector-config';
import { MetricsRegistry } from '../../metrics/metrics.registry';
import { PeriodicPass } from '../../common/periodic-pass';
import { EMISSION_FACTORS, type EmissionFactors } from '../emission-factors';
import { factorsJson } from '../factor-table';
import { DailyRollupRepository, dailyRules } from './daily-rollup.repository';

/** Days one pass derives at most: a pass stays short however many days an intensity import marked. */
const MAX_DAYS_PER_PASS = 31;

/** What one pass did. */
export interface DerivePass {
  /** Days derived and no longer marked. */
  derived: number;
  /** Days derived but marked again meanwhile, or taken by another collector: left for a later pass. */
  skipped: number;
  /** Days marked after the pass, folded or not. */
  marked: number;
}

/**
 * Keeps the daily rollups derived, on every process that serves reports (it needs the emission
 * factors): each pass derives the marked days whose hours are folded, newest first, at most 31.
 * Any number of collectors may run passes; a day taken by one is skipped by the others.
 */
@Injectable()
export class DailyRollupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DailyRollups');
  private readonly passes = new PeriodicPass('deriving daily rollups', this.logger);
  private readonly markedDays: Gauge;
  private readonly derivedDays: Counter;

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly daily: DailyRollupRepository,
    @Inject(EMISSION_FACTORS) private readonly factors: EmissionFactors,
    registry: MetricsRegistry,
  ) {
    this.markedDays = new Gauge({
      name: 'wattprint_daily_rollup_marked_days',
      help: 'Days whose daily rollup rows are stale or missing; reports read those days from the hourly rollups until derived.',
      registers: [registry.registry],
    });
    this.derivedDays = new Counter({
      name: 'wattprint_daily_rollup_derived_days_total',
      help: 'Days derived into the daily rollups.',
      registers: [registry.registry],
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.maintenanceEveryMs === 0) return;
    this.passes.start(this.config.maintenanceEveryMs, () => this.derive());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.passes.stop();
  }

  /** One pass: every day again if the pricing rules changed, then up to `maxDays` marked days derived. */
  async derive(maxDays = MAX_DAYS_PER_PASS): Promise<DerivePass> {
    if (await this.daily.adoptRules(dailyRules())) this.logger.log('pricing rules changed: every day with energy is derived again');
    let derived = 0;
    let skipped = 0;
    for (const day of await this.daily.markedDays(maxDays)) {
      // read after the mark's version, so a change to the factors after it leaves the day marked
      const factors = await this.factors.siteHourFactors(day.dayStart, day.dayStart + DAY_MS);
      if (await this.daily.derive(day, factorsJson(factors))) derived++;
      else skipped++;
    }
    this.derivedDays.inc(derived);
    const marked = await this.daily.markedCount();
    this.markedDays.set(marked);
    return { derived, skipped, marked };
  }
}
