import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReaderRoleError } from '@wattprint/db';
import { ConfigError, EXIT_CONFIG } from '@wattprint/runtime';
import { Command, CommanderError } from 'commander';
import { collectorLogger, createCollectorApp, migrateDatabase } from './bootstrap';
import { parseCollectorConfig } from './config/collector-config';

/** The version in apps/collector/package.json, found from src (tests) and from dist alike. */
function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * `wattprint-collector [start]` migrates, then serves and ingests until SIGTERM / SIGINT;
 * `wattprint-collector migrate` only migrates. Exit status: 0 done, 2 bad command line or configuration
 * (one line per problem on stderr), 1 anything else (logged).
 */
async function main(argv: string[]): Promise<number> {
  let command = 'start' as 'start' | 'migrate';
  const program = new Command('wattprint-collector')
    .description('Wattprint collector: ingest worker, REST API, /metrics. Configured by environment variables (docs/collector.md).')
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  program
    .command('start')
    .description('migrate the database, then serve the API and ingest (the default)')
    .action(() => void (command = 'start'));
  program
    .command('migrate')
    .description('bring the database schema up to date, then exit')
    .action(() => void (command = 'migrate'));
  try {
    // No command is `start`; an unknown word is refused rather than taken for an argument of it.
    program.parse(argv.length === 0 ? ['start'] : argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_CONFIG;
    throw error;
  }
  const config = parseCollectorConfig(process.env);
  if (command === 'migrate') {
    const applied = await migrateDatabase(config);
    process.stdout.write(applied.length === 0 ? 'database already up to date\n' : `applied ${applied.join(', ')}\n`);
    return 0;
  }
  const logger = collectorLogger(config);
  try {
    const app = await createCollectorApp(config, { logger });
    await app.listen(config.port);
  } catch (error) {
    logger.fatal({ err: error }, 'the collector could not start');
    return 1;
  }
  return -1; // keeps running until SIGTERM / SIGINT
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof ReaderRoleError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
