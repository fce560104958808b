import { readFileSync, writeFileSync } from 'node:fs';

/** Everything the CLI touches outside itself, handed in so that tests run it in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Throws a Node error (with `code`) when the file cannot be read. */
  readFile(path: string): string;
  writeFile(path: string, text: string): void;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => writeFileSync(path, text),
  };
}
