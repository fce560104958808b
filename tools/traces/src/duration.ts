import { parseDuration } from '@wattprint/carbon';
import { TraceOptionError } from './errors';

/**
 * A duration option (`--duration 2h`, `--interval 500ms`) in whole milliseconds, read by libs/carbon's
 * parseDuration; a TraceOptionError naming the option otherwise. A bare number is refused: `2` could
 * mean seconds or hours, and a wrong guess makes a wrong trace.
 */
export function durationOption(field: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === null) throw new TraceOptionError(field, text, 'a duration such as 500ms, 1s, 15m, 2h or 1h30m');
  if (ms <= 0) throw new TraceOptionError(field, text, 'a duration above zero');
  return ms;
}
