import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Everything the CLI touches outside itself, handed in so that tests run it in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Throws a Node error (with `code`) when the file cannot be read. */
  readFile(path: string): string;
  /** Creates the file's folder when missing (`-o .wattprint/calib.json` on a fresh clone). */
  writeFile(path: string, text: string): void;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    },
  };
}
