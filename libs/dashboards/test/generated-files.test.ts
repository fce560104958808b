import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REGENERATE_COMMAND, dashboards, generate } from '../src/generate';
import { writeDashboards } from '../src/write-dashboards';
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

describe('writeDashboards', () => {
  it('writes every dashboard and removes JSON files the code no longer produces', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wattprint-dashboards-'));
    try {
      writeFileSync(join(dir, 'renamed-long-ago.json'), '{}');
      writeFileSync(join(dir, 'notes.txt'), 'kept');
      const yearly = join(REPO_ROOT, 'apps', 'collector', 'src', 'carbon', 'data', 'yearly-average.json');
      const written = writeDashboards(dir, yearly);
      expect(written.map((p) => relative(dir, p)).sort()).toEqual(['cluster-accounting.json', 'org-view.json']);
      expect(readdirSync(dir).sort()).toEqual(['cluster-accounting.json', 'notes.txt', 'org-view.json']);
      expect(readFileSync(join(dir, 'org-view.json'), 'utf8')).toBe(readFileSync(join(DIR, 'org-view.json'), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the table file it cannot read', () => {
    expect(() => writeDashboards(tmpdir(), '/nonexistent/yearly.json')).toThrow(
      /cannot read the yearly averages \/nonexistent\/yearly\.json/,
    );
  });
});
