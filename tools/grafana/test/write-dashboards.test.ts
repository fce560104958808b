import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { main } from '../src/generate-dashboards';
import { readYearlyAverages, writeDashboards } from '../src/write-dashboards';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const CHECKED_IN = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards');

function sink(): { write(text: string): boolean; text: () => string } {
  let text = '';
  return { write: (t: string) => ((text += t), true), text: () => text };
}

describe('writeDashboards', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wattprint-dashboards-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every dashboard and removes JSON files the code no longer produces', () => {
    writeFileSync(join(dir, 'renamed-long-ago.json'), '{}');
    writeFileSync(join(dir, 'notes.txt'), 'kept');
    const written = writeDashboards(dir);
    expect(written.map((p) => relative(dir, p)).sort()).toEqual([
      'cluster-accounting.json',
      'forecasts.json',
      'operations.json',
      'org-view.json',
    ]);
    expect(readdirSync(dir).sort()).toEqual(['cluster-accounting.json', 'forecasts.json', 'notes.txt', 'operations.json', 'org-view.json']);
    expect(readFileSync(join(dir, 'org-view.json'), 'utf8')).toBe(readFileSync(join(CHECKED_IN, 'org-view.json'), 'utf8'));
  });

  it('names the table file it cannot read', () => {
    expect(() => readYearlyAverages('/nonexistent/yearly.json')).toThrow(/cannot read the yearly averages \/nonexistent\/yearly\.json/);
  });

  it('embeds another table given with --yearly, and exits 2 on an unknown option', () => {
    const table = join(dir, 'yearly.json');
    writeFileSync(table, JSON.stringify({ regions: { WORLD: { gPerKwh: 123.5 } } }));
    const out = sink();
    const err = sink();
    expect(main(['--out', join(dir, 'out'), '--yearly', table], out, err)).toBe(0);
    expect(out.text()).toContain('wrote ');
    expect(readFileSync(join(dir, 'out', 'org-view.json'), 'utf8')).toContain("('WORLD', 123.5::double precision)");
    expect(main(['--outt', dir], out, err)).toBe(2);
    expect(err.text()).toContain("unknown option '--outt'");
  });
});
