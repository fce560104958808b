import { Injectable } from '@nestjs/common';
import { ClockRepository } from '../../clock/clock.repository';
import { ImportFormatError } from '../common/carbon.errors';
import { toIso } from '../common/carbon.schemas';
import { IntensityCsvReader } from './intensity-csv';
import { type ImportedPeriod, JSON_FIELDS, type RowProblem, checkRow } from './intensity-rows';
import { type IntensityRecord, IntensityRepository } from './intensity.repository';
import type { ImportQuery, ImportSummary, IntensityQuery, IntensitySeriesResponse } from './intensity.schemas';

/** Problems listed in one answer; the rest are counted. A file with a systematic error would list millions. */
export const MAX_PROBLEMS_LISTED = 100;
/** Valid rows written per transaction while a CSV streams in. */
const WRITE_BATCH = 2000;

/** Collects problems and valid rows of one import, writing rows in batches as they come. */
class ImportRun {
  rows = 0;
  imported = 0;
  rejected = 0;
  private readonly problems: RowProblem[] = [];
  private problemsOmitted = 0;
  private pending: IntensityRecord[] = [];

  constructor(
    private readonly repo: IntensityRepository,
    private readonly source: string,
    private readonly revisedAt: number,
  ) {}

  async accept(result: { ok: true; period: ImportedPeriod } | { ok: false; problems: RowProblem[] }): Promise<void> {
    this.rows++;
    if (!result.ok) {
      this.rejected++;
      for (const p of result.problems) {
        if (this.problems.length < MAX_PROBLEMS_LISTED) this.problems.push(p);
        else this.problemsOmitted++;
      }
      return;
    }
    this.pending.push({ ...result.period, source: this.source, revisedAt: this.revisedAt });
    if (this.pending.length >= WRITE_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await this.repo.upsert(batch);
    this.imported += batch.length;
  }

  summary(): ImportSummary {
    return {
      rows: this.rows,
      imported: this.imported,
      rejected: this.rejected,
      problems: this.problems,
      problemsOmitted: this.problemsOmitted,
    };
  }
}

@Injectable()
export class IntensityService {
  constructor(
    private readonly repo: IntensityRepository,
    private readonly clock: ClockRepository,
  ) {}

  private sourceOf(query: ImportQuery): string {
    return query.source === undefined ? 'api' : `import:${query.source}`;
  }

  /**
   * Imports CSV lines as they stream in. Bad rows are reported with line, column, value and what was
   * expected; the valid rows beside them are stored (a revision replaces the stored value).
   */
  async importCsv(lines: AsyncIterable<string>, query: ImportQuery): Promise<ImportSummary> {
    const reader = new IntensityCsvReader(query.kind, query.line);
    const run = new ImportRun(this.repo, this.sourceOf(query), this.clock.now());
    let n = -1;
    for await (const line of lines) {
      if (n === -1) {
        if (line.trim() === '') continue;
        reader.header(line);
        n = 0;
        continue;
      }
      const result = reader.row(line, n++);
      if (result !== null) await run.accept(result);
    }
    if (n === -1) throw new ImportFormatError(1, '(header)', '', 'a header line region,start,end,g_per_kwh');
    await run.flush();
    return run.summary();
  }

  /** Imports a JSON array of {region,start,end,gPerKwh,kind?}, element by element. */
  async importJson(body: unknown, query: ImportQuery): Promise<ImportSummary> {
    if (!Array.isArray(body)) {
      throw new ImportFormatError(
        0,
        '(body)',
        typeof body === 'object' && body !== null ? 'an object' : String(body),
        'a JSON array of {region,start,end,gPerKwh,kind?}',
      );
    }
    const run = new ImportRun(this.repo, this.sourceOf(query), this.clock.now());
    for (const [i, element] of body.entries()) {
      const index = query.index + i;
      if (typeof element !== 'object' || element === null || Array.isArray(element)) {
        await run.accept({
          ok: false,
          problems: [
            { index, column: '(element)', value: JSON.stringify(element) ?? '', expected: 'an object {region,start,end,gPerKwh,kind?}' },
          ],
        });
        continue;
      }
      const e = element as Record<string, unknown>;
      const unknown = Object.keys(e).filter((k) => !(k in JSON_FIELDS));
      const checked = checkRow(
        { region: e.region, start: e.start, end: e.end, gPerKwh: e.gPerKwh, kind: e.kind },
        JSON_FIELDS,
        query.kind,
        { index },
      );
      if (unknown.length > 0) {
        const extra = unknown.map((k) => ({
          index,
          column: k,
          value: String(e[k]),
          expected: 'no such field (known: region, start, end, gPerKwh, kind)',
        }));
        await run.accept({ ok: false, problems: [...(checked.ok ? [] : checked.problems), ...extra] });
      } else {
        await run.accept(checked);
      }
    }
    await run.flush();
    return run.summary();
  }

  async series(query: IntensityQuery): Promise<IntensitySeriesResponse> {
    const rows = await this.repo.range(query.region, query.from, query.to, query.kind);
    return {
      region: query.region,
      from: toIso(query.from),
      to: toIso(query.to),
      periods: rows.map((r) => ({
        start: toIso(r.periodStart),
        end: toIso(r.periodEnd),
        gPerKwh: r.gPerKwh,
        kind: r.kind,
        source: r.source,
        revisedAt: toIso(r.revisedAt),
      })),
    };
  }
}
