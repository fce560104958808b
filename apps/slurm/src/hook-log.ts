import { appendFileSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

const ROTATE_BYTES = 1024 * 1024;

/**
 * JSON lines, one per hook run or delivery, to a file kept under 2 MiB (the current file and one `.1`),
 * or to stderr. Logging never throws: a full disk must not turn into a failed prolog.
 */
export class HookLog {
  constructor(private readonly file: string | null) {}

  write(entry: Record<string, unknown>): void {
    const line = `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`;
    if (this.file === null) {
      process.stderr.write(line);
      return;
    }
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      try {
        if (statSync(this.file).size > ROTATE_BYTES) renameSync(this.file, `${this.file}.1`);
      } catch {
        // no log yet
      }
      appendFileSync(this.file, line, { mode: 0o600 });
    } catch {
      process.stderr.write(line);
    }
  }
}
