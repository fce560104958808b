import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REGENERATE_COMMAND, dashboards, generate } from '../src/generate';
import { REPO_ROOT, collectorYearlyAverages, panelQueries } from './support/dashboard-queries';

const DIR = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards');

describe('checked-in dashboards', () => {
  const files = generate(collectorYearlyAverages());

  it('are exactly what the code generates', () => {
    const onDisk = readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    const stale = [...files]
      .filter(([file, text]) => !onDisk.includes(file) || readFileSync(join(DIR, file), 'utf8') !== text)
      .map(([f]) => f);
    const extra = onDisk.filter((f) => !files.has(f));
    if (stale.length > 0 || extra.length > 0) {
      throw new Error(
        `deploy/grafana/dashboards is out of date (${[...stale, ...extra].join(', ')}); regenerate with: ${REGENERATE_COMMAND}`,
      );
    }
  });

  it('have unique uids and panel ids, and read only the Wattprint data source', () => {
    const all = [...dashboards(collectorYearlyAverages()).values()];
    expect(new Set(all.map((d) => d.uid)).size).toBe(all.length);
    for (const d of all) {
      const ids = (d.panels ?? []).map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const q of panelQueries(d)) {
        expect(q.query.datasource).toEqual({ type: 'grafana-postgresql-datasource', uid: 'wattprint-postgres' });
        expect(q.query).toMatchObject({ rawQuery: true, editorMode: 'code' });
      }
    }
  });
});
