import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generate } from '../generate';
import { parseYearlyAverages } from '../sql/yearly-averages';

/**
 * Writes deploy/grafana/dashboards/*.json from code and removes generated files no longer produced.
 * Run from the build output: node libs/dashboards/dist/bin/generate-dashboards.js [--out DIR] [--yearly FILE]
 */
const ROOT = resolve(__dirname, '..', '..', '..', '..');

function option(argv: string[], name: string, fallback: string): string {
  const i = argv.indexOf(name);
  if (i === -1) return fallback;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return resolve(value);
}

function main(argv: string[]): void {
  const unknown = argv.filter((a, i) => a.startsWith('--') && a !== '--out' && a !== '--yearly' && argv[i - 1] !== '--out' && argv[i - 1] !== '--yearly');
  if (unknown.length > 0) throw new Error(`unknown option ${unknown.join(' ')}; expected --out DIR, --yearly FILE`);
  const out = option(argv, '--out', join(ROOT, 'deploy', 'grafana', 'dashboards'));
  const yearlyFile = option(argv, '--yearly', join(ROOT, 'apps', 'collector', 'src', 'carbon', 'data', 'yearly-average.json'));
  const files = generate(parseYearlyAverages(JSON.parse(readFileSync(yearlyFile, 'utf8'))));
  mkdirSync(out, { recursive: true });
  for (const stale of readdirSync(out).filter((f) => f.endsWith('.json') && !files.has(f))) rmSync(join(out, stale));
  for (const [file, text] of files) writeFileSync(join(out, file), text);
  process.stdout.write(`wrote ${[...files.keys()].map((f) => join(out, f)).join(', ')}\n`);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`generate-dashboards: ${(error as Error).message}\n`);
  process.exit(1);
}
