import { join, resolve } from 'node:path';
import { writeDashboards } from '../write-dashboards';

/**
 * node libs/dashboards/dist/bin/generate-dashboards.js [--out DIR] [--yearly FILE]
 * Defaults: deploy/grafana/dashboards, and the collector's yearly-average table.
 */
const ROOT = resolve(__dirname, '..', '..', '..', '..');
const USAGE = 'usage: generate-dashboards [--out DIR] [--yearly FILE]';

function parseArgs(argv: string[]): { out: string; yearly: string } {
  const options: Record<string, string> = {
    '--out': join(ROOT, 'deploy', 'grafana', 'dashboards'),
    '--yearly': join(ROOT, 'apps', 'collector', 'src', 'carbon', 'data', 'yearly-average.json'),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (!(name in options)) throw new Error(`unknown argument ${JSON.stringify(name)}\n${USAGE}`);
    if (value === undefined) throw new Error(`${name} needs a value\n${USAGE}`);
    options[name] = resolve(value);
  }
  return { out: options['--out'], yearly: options['--yearly'] };
}

try {
  const { out, yearly } = parseArgs(process.argv.slice(2));
  process.stdout.write(`wrote ${writeDashboards(out, yearly).join(', ')}\n`);
} catch (error) {
  process.stderr.write(`generate-dashboards: ${(error as Error).message}\n`);
  process.exit(1);
}
