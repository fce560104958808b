import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseHandle, NewRow, Row } from '@wattprint/db';
import type { IntensityPeriod } from '@wattprint/carbon';
import { DATABASE } from '../database/database.module';

export type ForecastRecord = Row<'forecasts'>;

@Injectable()
export class ForecastRepository {
  constructor(@Inject(DATABASE) private readonly handle: DatabaseHandle) {}

  newId(): string {
    return `fc_${randomUUID().replaceAll('-', '')}`;
  }

  async insert(row: NewRow<'forecasts'>): Promise<void> {
    await this.handle.db.insertInto('forecasts').values(row).execute();
  }

  async find(id: string): Promise<ForecastRecord | undefined> {
    return this.handle.db.selectFrom('forecasts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Stored intensity periods of a region overlapping [from, to), actual and forecast. */
  async intensityPeriods(region: string, from: number, to: number): Promise<IntensityPeriod[]> {
    const rows = await this.handle.db
      .selectFrom('grid_intensity')
      .selectAll()
      .where('region', '=', region)
      .where('period_start', '<', to)
      .where('period_end', '>', from)
      .orderBy('period_start')
      .execute();
    return rows.map((r) => ({
      periodStart: Number(r.period_start),
      periodEnd: Number(r.period_end),
      gPerKwh: r.g_per_kwh,
      kind: r.kind,
      source: r.source,
      revisedAt: Number(r.revised_at),
    }));
  }
}
