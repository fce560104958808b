import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { CliInputError, CommandExit, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK } from './cli-error';
import { COMMANDS, type RegisterCommand } from './commands';
import { processIo, type CliIo } from './io';

/** The version in apps/cli/package.json, found from src (tests) and from dist alike. */
export function cliVersion(): string {
  return (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** A fresh program each run: commander keeps parse state on its commands. */
export function buildProgram(io: CliIo, commands: readonly RegisterCommand[] = COMMANDS): Command {
  const program = new Command('wattprint')
    .description('Energy and CO2eq of ML training, search and inference: forecast before launch, calibrate on measured runs.')
    .version(cliVersion())
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');
  // Subcommands inherit exitOverride and the output settings from the program they are added to.
  for (const register of commands) register(program, io);
  return program;
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit status. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CliInputError) {
      io.stderr(error.lines.map((l) => `${l}\n`).join(''));
      return EXIT_BAD_INPUT;
    }
    if (error instanceof CommandExit) return error.status;
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr(`wattprint: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_INTERNAL;
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
