import { TraceOptionError } from './errors';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `1500ms`, `1s`, `90s`, `15m`, `2h`, `1d`, or compound `1h30m`, into whole milliseconds.
 * A bare number is rejected: `2` could mean seconds or hours, and a wrong guess makes a wrong trace.
 */
export function parseDuration(field: string, text: string): number {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(trimmed)) !== null) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed = part.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length) {
    throw new TraceOptionError(field, text, 'a duration such as 500ms, 1s, 15m, 2h or 1h30m');
  }
  const ms = Math.round(total);
  if (ms <= 0) throw new TraceOptionError(field, text, 'a duration above zero');
  return ms;
}

/** `2h`, `15m`, `1h30m`, `90s`: the shortest exact spelling, for summaries. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
