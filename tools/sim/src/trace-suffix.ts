import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';

/**
 * Writes the part of a replay trace from `fromMs` on (every point with t_ms ≥ fromMs, header kept).
 * An agent restarted after a crash replays it: its first segment of each device starts at `fromMs`,
 * exactly where a real agent coming back would start measuring again; what lies between its last
 * delivered sample and `fromMs` was never measured.
 */
export async function writeTraceSuffix(tracePath: string, outPath: string, fromMs: number): Promise<{ points: number }> {
  const out = createWriteStream(outPath);
  const lines = createInterface({ input: createReadStream(tracePath), crlfDelay: Infinity });
  let points = 0;
  let first = true;
  for await (const line of lines) {
    if (first && line.startsWith('t_ms')) {
      out.write(`${line}\n`);
      first = false;
      continue;
    }
    first = false;
    if (line.trim() === '') continue;
    const t = Number(line.slice(0, line.indexOf(',')));
    if (t >= fromMs) {
      out.write(`${line}\n`);
      points++;
    }
  }
  out.end();
  await finished(out);
  return { points };
}
