import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate, parseYearlyAverages, shippedYearlyAverages, type YearlyAverages } from '@wattprint/dashboards';

/** A yearly-average table other than the shipped one (`--yearly FILE`), in the shape of libs/carbon's. */
export function readYearlyAverages(file: string): YearlyAverages {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the yearly averages ${file}: ${(error as Error).message}`);
  }
  return parseYearlyAverages(json);
}

/**
 * Writes every generated dashboard into `outDir` and removes JSON files there that the code no
 * longer produces, so a renamed dashboard does not linger in Grafana. Returns the paths written.
 */
export function writeDashboards(outDir: string, yearly: YearlyAverages = shippedYearlyAverages()): string[] {
  const files = generate(yearly);
  mkdirSync(outDir, { recursive: true });
  for (const stale of readdirSync(outDir).filter((f) => f.endsWith('.json') && !files.has(f))) rmSync(join(outDir, stale));
  for (const [file, text] of files) writeFileSync(join(outDir, file), text);
  return [...files.keys()].map((f) => join(outDir, f));
}
