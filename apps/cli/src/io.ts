import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Everything the CLI touches outside itself, handed in so that tests run it in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Throws a Node error (with `code`) when the file cannot be read. */
  readFile(path: string): string;
  /**
   * Creates the file's folder when missing (`-o .wattprint/calib.json` on a fresh clone); throws a Node
   * error (with `code`) when the file cannot be written.
   */
  writeFile(path: string, text: string): void;
  /**
   * Names of the entries of a directory; throws a Node error (with `code`) when it cannot be read.
   * Optional, so that the CliIo objects written before it (other apps' tests drive the CLI in-process)
   * still fit; commands fall back to `listDirectory` below.
   */
  listDirectory?(path: string): string[];
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
    listDirectory: (path) => readdirSync(path),
  };
}

/** The directory listing of `io`, or of the file system when `io` has none. */
export function listDirectory(io: CliIo, path: string): string[] {
  return io.listDirectory ? io.listDirectory(path) : readdirSync(path);
}
