import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { RollupMetrics } from './rollup.metrics';
import { DAILY_TABLES, type DailyTable, RetentionRepository } from './retention.repository';
import { RollupRepository } from './rollup.repository';
import { ClockRepository } from '../clock/clock.repository';
import { DAY_MS, HOUR_MS } from '@wattprint/carbon';
import { PeriodicPass } from '../common/periodic-pass';

/** Hours one fold transaction takes at most: short transactions, however far behind the fold is. */
const MAX_HOURS_PER_FOLD = 24;

export const floorHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** What one maintenance pass did. */
export interface MaintenanceReport {
  folded: number;
  foldedUntil: number | null;
  partitionsCreated: string[];
  partitionsDropped: string[];
  minuteRowsDeleted: number;
  /** Rows deleted past hourly retention, by rollup. */
  hourlyRowsDeleted: Record<HourlyTable, number>;
  /** Daily rows of the days wholly past hourly retention, by rollup. */
  dailyRowsDeleted: Record<DailyTable, number>;
  batchKeysDeleted: number;
}

/** The hourly rollups, which share one retention. */
const HOURLY_TABLES = ['energy_hourly', 'energy_node_hourly', 'energy_site_hourly', 'energy_group_hourly'] as const;
type HourlyTable = (typeof HOURLY_TABLES)[number];

/**
 * Batch keys are deleted a day after the samples they cover passed retention, while batches are
 * refused once their samples pass it: a replica whose clock is up to a day ahead of another's still
 * never deletes the key of a batch the other could accept again.
 */
const BATCH_KEY_MARGIN_MS = DAY_MS;

/**
 * The ledger's upkeep, on every process that ingests: fold closed hours into the hourly rollups, create
 * next months' partitions ahead of need (PostgreSQL), and drop what is past retention. Minutes are
 * never dropped before their hour is folded.
 */
@Injectable()
export class RollupService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Rollups');
  private readonly passes = new PeriodicPass('ledger upkeep', this.logger);

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly rollups: RollupRepository,
    private readonly retention: RetentionRepository,
    private readonly metrics: RollupMetrics,
    private readonly clock: ClockRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.role === 'api' || this.config.maintenanceEveryMs === 0) return;
    this.passes.start(this.config.maintenanceEveryMs, () => this.maintain());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.passes.stop();
  }

  /** Folds every hour that closed `WATTPRINT_ROLLUP_LAG_MS` ago or earlier; returns the hours folded. */
  async fold(now = this.clock.now()): Promise<number> {
    const until = floorHour(now - this.config.rollupLagMs);
    let hours = 0;
    for (;;) {
      const started = process.hrtime.bigint();
      const span = await this.rollups.foldOnce(until, MAX_HOURS_PER_FOLD, now);
      if (span === null) break;
      this.metrics.foldSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      hours += Math.max(0, (span.to - span.from) / HOUR_MS);
      if (span.to >= until) break;
    }
    const foldedUntil = await this.rollups.foldedUntil();
    if (foldedUntil !== null) this.metrics.foldedUntil.set(foldedUntil / 1000);
    return hours;
  }

  /** One pass of everything: fold, partitions ahead, retention. */
  async maintain(now = this.clock.now()): Promise<MaintenanceReport> {
    const folded = await this.fold(now);
    const foldedUntil = await this.rollups.foldedUntil();
    const partitionsCreated = await this.retention.ensurePartitions(now - 31 * DAY_MS, now + 62 * DAY_MS);
    let partitionsDropped: string[] = [];
    let minuteRowsDeleted = 0;
    const hourlyRowsDeleted = Object.fromEntries(HOURLY_TABLES.map((t) => [t, 0])) as Record<HourlyTable, number>;
    let dailyRowsDeleted = Object.fromEntries(DAILY_TABLES.map((t) => [t, 0])) as Record<DailyTable, number>;
    const minuteDays = this.config.minuteRetentionDays;
    if (minuteDays !== undefined && foldedUntil !== null) {
      // never a minute whose hour is not folded yet: the hours would lose it
      const cutoff = Math.min(now - minuteDays * DAY_MS, foldedUntil);
      // readers switch to hours first, then the minutes go: no report ever reads a half-dropped stretch
      await this.rollups.minutesDroppedBefore(cutoff);
      const dropped = await this.retention.dropMinutesBefore(cutoff);
      partitionsDropped = dropped.partitions;
      minuteRowsDeleted = dropped.rows;
    }
    if (this.config.hourlyRetentionDays !== undefined) {
      const cutoff = now - this.config.hourlyRetentionDays * DAY_MS;
      dailyRowsDeleted = await this.retention.retireDaysBefore(cutoff);
      for (const table of HOURLY_TABLES) hourlyRowsDeleted[table] = await this.retention.deleteHoursBefore(table, cutoff);
    }
    let batchKeysDeleted = 0;
    if (this.config.batchKeyRetentionDays !== undefined)
      batchKeysDeleted = await this.retention.deleteBatchKeysBefore(now - this.config.batchKeyRetentionDays * DAY_MS - BATCH_KEY_MARGIN_MS);
    this.metrics.deletedRows.inc({ table: 'ingested_batches' }, batchKeysDeleted);
    this.metrics.deletedRows.inc({ table: 'energy_buckets' }, minuteRowsDeleted);
    for (const table of HOURLY_TABLES) this.metrics.deletedRows.inc({ table }, hourlyRowsDeleted[table]);
    for (const table of DAILY_TABLES) this.metrics.deletedRows.inc({ table }, dailyRowsDeleted[table]);
    this.metrics.droppedPartitions.inc(partitionsDropped.length);
    const oldest = await this.retention.oldestMinute();
    if (oldest !== null) this.metrics.oldestMinute.set(oldest / 1000);
    const hourRowsDeleted = hourlyRowsDeleted.energy_hourly;
    if (partitionsDropped.length > 0 || minuteRowsDeleted > 0 || hourRowsDeleted > 0 || batchKeysDeleted > 0) {
      this.logger.log(
        `retention: dropped ${partitionsDropped.length} partition(s), ${minuteRowsDeleted} minute and ${hourRowsDeleted} hourly row(s), ` +
          `${batchKeysDeleted} batch key(s)`,
      );
    }
    return {
      folded,
      foldedUntil,
      partitionsCreated,
      partitionsDropped,
      minuteRowsDeleted,
      hourlyRowsDeleted,
      dailyRowsDeleted,
      batchKeysDeleted,
    };
  }
}
