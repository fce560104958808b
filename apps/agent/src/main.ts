#!/usr/bin/env node
import { ConfigError, loadAgentConfig } from './config/agent-config';
import { createLogger } from './logger';
import { formatProbe, probe } from './probe';
import { startAgent } from './bootstrap';

const USAGE = `usage: wattprint-agent [run]         run the agent (needs WATTPRINT_AGENT_KEY)
       wattprint-agent probe [--json]  print the devices found, one reading each, and problems
Configuration: environment variables (see docs/agent.md), or a YAML/JSON file named by WATTPRINT_CONFIG.
`;

export async function main(argv: string[]): Promise<number> {
  const [command = 'run', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadAgentConfig();
  const log = createLogger(command === 'probe' ? 'error' : config.logLevel);
  if (command === 'probe') {
    const unknown = rest.filter((a) => a !== '--json');
    if (unknown.length > 0) throw new ConfigError([`probe: unknown option ${unknown.join(' ')}; expected --json`]);
    const report = await probe(config, log);
    process.stdout.write(rest.includes('--json') ? `${JSON.stringify(report)}\n` : formatProbe(report));
    return report.devices.length > 0 ? 0 : 1;
  }
  if (command !== 'run') {
    process.stderr.write(`unknown command ${JSON.stringify(command)}\n${USAGE}`);
    return 2;
  }
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${(error as Error).stack}\n`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    },
  );
}
