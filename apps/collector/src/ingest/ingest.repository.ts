import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle } from '@wattprint/db';
import { COLLECTOR_CONFIG } from '../config/config.module';
import type { CollectorConfig } from '../config/collector-config';
import { DATABASE } from '../database/database.module';
import { mergeBatchRows } from './bucket-deltas';
import type { DeadLetter } from './dead-letter';
import { AgentRegistryRepository, type KnownAgent } from './ledger/agent-registry.repository';
import { BatchKeyRepository } from './ledger/batch-key.repository';
import { DeadLetterRepository } from './ledger/dead-letter.repository';
import { EnergyBucketRepository } from './ledger/energy-bucket.repository';
import { InferredJobRepository } from './ledger/inferred-job.repository';
import { LateHourRepository } from './ledger/late-hour.repository';
import { SeqGapRepository } from './ledger/seq-gap.repository';
import type { PreparedBatch } from './prepared-batch';
import { ClockRepository } from '../clock/clock.repository';

export type { KnownAgent };

/**
 * The ingest's way into the ledger: one group commit writes through each concern's repository
 * (batch keys, buckets, inferred jobs, gaps, agents) in one transaction, in one global lock order.
 * Their dialect-specific SQL lives in ledger/*-ingest-dialect.ts.
 */
@Injectable()
export class IngestRepository {
  private readonly groupCommitsInFlight: number;

  constructor(
    @Inject(DATABASE) private readonly handle: DatabaseHandle,
    @Inject(COLLECTOR_CONFIG) config: CollectorConfig,
    private readonly agents: AgentRegistryRepository,
    private readonly batchKeys: BatchKeyRepository,
    private readonly buckets: EnergyBucketRepository,
    private readonly jobs: InferredJobRepository,
    private readonly gaps: SeqGapRepository,
    private readonly deadLetters: DeadLetterRepository,
    private readonly lateHours: LateHourRepository,
    private readonly clock: ClockRepository,
  ) {
    this.groupCommitsInFlight = config.groupCommitsInFlight;
  }

  /**
   * Group commits that may run at once. One by default: each commit costs PostgreSQL a WAL flush
   * and the collector a round trip per statement whatever its size, so one commit of the batches
   * that piled up meanwhile costs less CPU than several smaller ones (tools/bench/ingest.mjs:
   * PostgreSQL 100 µs a batch against 150 with four), and two commits touching one agent's
   * rows would only wait on each other. More can hide a slow flush (network storage). SQLite
   * has one writer, so a second would only wait.
   */
  get concurrentCommits(): number {
    return this.handle.dialect === 'postgres' ? this.groupCommitsInFlight : 1;
  }

  findAgent(agentId: string): Promise<KnownAgent | undefined> {
    return this.agents.find(agentId);
  }

  /**
   * Writes a group of verified batches in one transaction and returns those that were new. Batches
   * already recorded change nothing. Locks are taken in one global order (the rollup lock, shared;
   * agents, batch keys, bucket keys, hourly keys, job ids, agent rows, each sorted) so concurrent
   * collectors never deadlock.
   */
  async commitBatches(batches: readonly PreparedBatch[]): Promise<PreparedBatch[]> {
    const now = this.clock.now();
    const added = await this.handle.db.transaction().execute(async (tx) => {
      await this.lateHours.lock(tx);
      await this.gaps.lock(tx, batches);
      const fresh = await this.batchKeys.record(tx, batches, now);
      if (fresh.length === 0) return fresh;
      const rows = mergeBatchRows(fresh);
      await this.buckets.add(tx, rows);
      await this.lateHours.addLate(tx, rows);
      await this.jobs.upsert(tx, fresh);
      await this.gaps.update(tx, fresh, now);
      await this.agents.touch(tx, fresh, now);
      return fresh;
    });
    this.gaps.committed(added);
    this.agents.committed(added, now);
    return added;
  }

  recordDeadLetter(letter: DeadLetter): Promise<boolean> {
    return this.deadLetters.record(letter, this.clock.now());
  }
}
