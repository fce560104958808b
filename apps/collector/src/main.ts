import { ReaderRoleError } from '@wattprint/db';
import { ConfigError } from './config/env-parser';
import { parseCollectorConfig } from './config/collector-config';
import { createCollectorApp, migrateDatabase } from './bootstrap';

const USAGE = 'usage: wattprint-collector [migrate]';

/** `wattprint-collector` runs the service (migrations first); `wattprint-collector migrate` only migrates. */
async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command !== 'start' && command !== 'migrate') {
    process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const config = parseCollectorConfig(process.env);
  if (command === 'migrate') {
    const applied = await migrateDatabase(config);
    process.stdout.write(applied.length === 0 ? 'database already up to date\n' : `applied ${applied.join(', ')}\n`);
    return 0;
  }
  const app = await createCollectorApp(config);
  await app.listen(config.port);
  return -1; // keeps running until SIGTERM / SIGINT
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof ReaderRoleError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  },
);
