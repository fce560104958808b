import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from './generate';
import { parseYearlyAverages } from './sql/yearly-averages';

/**
 * Writes every generated dashboard into `outDir` and removes JSON files there that the code no
 * longer produces, so a renamed dashboard does not linger in Grafana. Returns the paths written.
 */
export function writeDashboards(outDir: string, yearlyAveragesFile: string): string[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(yearlyAveragesFile, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the yearly averages ${yearlyAveragesFile}: ${(error as Error).message}`);
  }
  const files = generate(parseYearlyAverages(json));
  mkdirSync(outDir, { recursive: true });
  for (const stale of readdirSync(outDir).filter((f) => f.endsWith('.json') && !files.has(f))) rmSync(join(outDir, stale));
  for (const [file, text] of files) writeFileSync(join(outDir, file), text);
  return [...files.keys()].map((f) => join(outDir, f));
}
