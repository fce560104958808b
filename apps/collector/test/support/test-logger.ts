import { LOG_LEVELS, type LogLevel, type StructuredLogger, createStructuredLogger } from '@wattprint/runtime';

/**
 * The logger of collectors the tests run in-process: silent, so a test log holds the tests' own
 * output only; `WATTPRINT_TEST_LOGS=debug` (or any level) shows the collector's JSON lines on stderr.
 */
export function testLogger(): StructuredLogger {
  const asked = process.env.WATTPRINT_TEST_LOGS;
  const level: LogLevel = asked && (LOG_LEVELS as readonly string[]).includes(asked) ? (asked as LogLevel) : asked ? 'info' : 'silent';
  return createStructuredLogger({ service: 'collector-test', level, destination: 2 });
}
