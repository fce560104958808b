import { missingBuildOutputs, workspacePaths } from './workspace-paths';
import { OptionsError, USAGE, parseQuickstartOptions } from './quickstart-options';
import { QuickstartSession } from './quickstart-session';

/** `npm start -- [options]`: runs until SIGINT or SIGTERM, then stops everything; 0 after a clean stop. */
export async function main(argv: string[]): Promise<number> {
  let options;
  try {
    options = parseQuickstartOptions(argv);
  } catch (error) {
    if (error instanceof OptionsError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const paths = workspacePaths();
  const missing = missingBuildOutputs(paths);
  if (missing.length > 0) {
    process.stderr.write(`not built: ${missing.join(', ')} missing; run \`npm run build\` first\n`);
    return 1;
  }
  const session = new QuickstartSession(options, paths, process.env, process.stdout);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      // A second Ctrl-C: the user will not wait for the agents to flush.
      process.stderr.write(`\n${signal} again: killing every child now\n`);
      session.killNow();
      process.exit(130);
    }
    session.requestStop(`${signal} received`, 0);
  };
  // After SIGHUP the terminal is gone and writes fail (EIO): the stop must go on regardless.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal); // the terminal closed: stop as cleanly as on Ctrl-C
  return session.run();
}
