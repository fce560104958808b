/** One line of a Wattprint process's log (libs/runtime's format): `level`, `time`, `msg` and fields. */
export type LogLine = Record<string, unknown> & { level?: string; msg?: string };

/**
 * The JSON log lines in what a process printed, in order; anything else (the harness's own start and
 * exit markers, a stack trace) is skipped.
 */
export function logLines(output: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) out.push(parsed as LogLine);
    } catch {
      // a line cut by the output limit, or not JSON at all
    }
  }
  return out;
}
