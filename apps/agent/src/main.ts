#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, EXIT_CONFIG } from '@wattprint/runtime';
import { Command, CommanderError } from 'commander';
import { startAgent } from './bootstrap';
import { loadAgentConfig } from './config/agent-config';
import { createLogger } from './logger';
import { formatProbe, probe } from './probe';

/** The version in apps/agent/package.json, found from src (tests) and from dist alike. */
function version(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

async function run(): Promise<number> {
  const config = loadAgentConfig();
  const log = createLogger(config.logLevel);
  const running = await startAgent(config, log);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info('stopping', { signal });
      running.stop().then(resolve, (error) => {
        log.error('stop failed', { error: (error as Error).message });
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  return 0;
}

async function runProbe(json: boolean): Promise<number> {
  const config = loadAgentConfig();
  const report = await probe(config, createLogger('error'));
  process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatProbe(report));
  return report.devices.length > 0 ? 0 : 1;
}

/**
 * `wattprint-agent [run]` runs until SIGTERM / SIGINT; `wattprint-agent probe [--json]` prints what it
 * finds. Exit status: 0 done, 1 nothing found (probe) or a fault, 2 bad command line or configuration.
 */
export async function main(argv: string[]): Promise<number> {
  let action: () => Promise<number> = run;
  const program = new Command('wattprint-agent')
    .description(
      'Wattprint node agent. Configuration: environment variables (see docs/agent.md), or a YAML/JSON file named by WATTPRINT_CONFIG.',
    )
    .version(version())
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  program
    .command('run')
    .description('run the agent (needs WATTPRINT_AGENT_KEY); the default')
    .action(() => void (action = run));
  program
    .command('probe')
    .description('print the devices found, one reading each, and any problem; exit 1 when none was read')
    .option('--json', 'the same as JSON')
    .action((options: { json?: boolean }) => void (action = () => runProbe(options.json === true)));
  try {
    // No command is `run`; an unknown word is refused rather than taken for an argument of it.
    await program.parseAsync(argv.length === 0 ? ['run'] : argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_CONFIG;
    throw error;
  }
  return action();
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${(error as Error).stack}\n`);
      process.exit(error instanceof ConfigError ? EXIT_CONFIG : 1);
    },
  );
}
