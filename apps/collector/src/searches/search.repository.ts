import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle, NewRow, Row } from '@wattprint/db';
import { SEARCH_LABELS } from '@wattprint/protocol';
import { DATABASE } from '../database/database.module';
import { ledgerRows, readLedgerWindow } from '../reports/ledger-source';

export type SearchRow = Row<'searches'>;

/** A job labelled as a trial of a search, with the energy the ledger booked to it. */
export interface TrialRow {
  job: Row<'jobs'>;
  trial: number | null;
  joules: number;
  nodes: string[];
  energyMissing: boolean;
}

function labelsOf(text: string | null): Record<string, unknown> {
  if (text === null) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

@Injectable()
export class SearchRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  newId(): string {
    return `srch_${randomUUID().replaceAll('-', '')}`;
  }

  /** False when the id is taken (another replica may insert the same id at once: the key decides). */
  async insert(row: NewRow<'searches'>): Promise<boolean> {
    const inserted = await this.handle.db
      .insertInto('searches')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async find(id: string): Promise<SearchRow | undefined> {
    return this.handle.db.selectFrom('searches').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * The jobs labelled `wattprint.search` = id (a team viewer's own team only), oldest first, with their
   * energy and whether a seq gap of one of their nodes overlaps their span. Labels are JSON text: a
   * LIKE narrows the scan, the parsed labels decide.
   */
  async trials(searchId: string, scopeTeam: string | null, now: number): Promise<TrialRow[]> {
    const db = this.handle.db;
    const needle = `%${JSON.stringify(SEARCH_LABELS.searchId)}:${JSON.stringify(searchId)}%`;
    let q = db.selectFrom('jobs').selectAll().where('labels', 'like', needle);
    if (scopeTeam !== null) q = q.where('team', '=', scopeTeam);
    const jobs = (await q.orderBy('first_seen_at').orderBy('id').execute()).filter(
      (j) => labelsOf(j.labels)[SEARCH_LABELS.searchId] === searchId,
    );
    if (jobs.length === 0) return [];
    const window = await readLedgerWindow(db);
    const rows = await db
      .selectFrom(ledgerRows(db, window, undefined, { jobIds: jobs.map((j) => j.id) }).as('b'))
      .select((eb) => ['job_id', 'node', eb.fn.sum<number>('joules').as('joules')])
      .groupBy(['job_id', 'node'])
      .execute();
    const energy = new Map<string, { joules: number; nodes: string[] }>();
    for (const r of rows) {
      const e = energy.get(r.job_id) ?? { joules: 0, nodes: [] };
      e.joules += Number(r.joules);
      e.nodes.push(r.node);
      energy.set(r.job_id, e);
    }
    const allNodes = [...new Set(rows.map((r) => r.node))];
    const span = (j: Row<'jobs'>) => ({
      from: Number(j.started_at ?? j.first_seen_at),
      to: Number(j.ended_at ?? (j.state === 'running' ? now : j.last_seen_at)),
    });
    const gaps =
      allNodes.length === 0
        ? []
        : await db.selectFrom('seq_gaps').select(['node', 'from_t', 'to_t']).where('node', 'in', allNodes).execute();
    return jobs.map((job) => {
      const e = energy.get(job.id) ?? { joules: 0, nodes: [] };
      const s = span(job);
      const trialText = labelsOf(job.labels)[SEARCH_LABELS.trial];
      const trial = typeof trialText === 'string' && /^\d{1,9}$/.test(trialText) ? Number(trialText) : null;
      return {
        job,
        trial,
        joules: e.joules,
        nodes: e.nodes,
        energyMissing: gaps.some((g) => e.nodes.includes(g.node) && Number(g.from_t) < s.to && Number(g.to_t) > s.from),
      };
    });
  }
}
