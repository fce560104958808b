import type { Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/**
 * Resolving an hour's intensity looks for the periods of a region that start, end or lie across it.
 * The primary key (region, kind, period_start) puts `kind` before the time, so each of those lookups
 * read every period of the region: a 30-day panel at 1,000 GPUs spent 2.4 s of its time there
 * against a year of hourly periods (81 ms with these; docs/scale.md).
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createIndex('grid_intensity_region_start_idx')
    .ifNotExists()
    .on('grid_intensity')
    .columns(['region', 'period_start'])
    .execute();
  await db.schema
    .createIndex('grid_intensity_region_end_idx')
    .ifNotExists()
    .on('grid_intensity')
    .columns(['region', 'period_end'])
    .execute();
}

export async function down(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.dropIndex('grid_intensity_region_start_idx').ifExists().execute();
  await db.schema.dropIndex('grid_intensity_region_end_idx').ifExists().execute();
}
