import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS } from './units';

const UNIT_MS: Record<string, number> = { ms: 1, s: SECOND_MS, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/**
 * `1500ms`, `1s`, `90s`, `15m`, `2h`, `1d` or a compound such as `1h30m`, in whole milliseconds; null
 * when the text is not such a duration. A bare number is no duration: `2` could mean seconds or hours,
 * and a wrong guess gives a wrong answer without a word.
 */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = part.exec(trimmed)) !== null) {
    total += Number(match[1]) * UNIT_MS[match[2]];
    consumed = part.lastIndex;
  }
  if (consumed === 0 || consumed !== trimmed.length) return null;
  return Math.round(total);
}

/** `2h`, `15m`, `1h30m`, `90s`: the shortest exact spelling, which parseDuration reads back. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', HOUR_MS],
    ['m', MINUTE_MS],
    ['s', SECOND_MS],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest}ms`);
  return parts.join('');
}
