import { CliInputError } from '../cli-error';
import type { CliIo } from '../io';
import { fsReason } from './fs-errors';

/** Writes a file the person named (`-o`), turning a failure into one line that names the path and why. */
export function writeOutput(path: string, text: string, io: CliIo): void {
  try {
    io.writeFile(path, text);
  } catch (error) {
    throw new CliInputError([`${path}: cannot write the file (${fsReason(error)}); expected a path in a writable directory`]);
  }
}
