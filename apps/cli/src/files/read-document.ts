import { parse as parseYaml, YAMLParseError } from 'yaml';
import { CliInputError } from '../cli-error';
import type { CliIo } from '../io';
import { fsReason } from './fs-errors';

function readText(path: string, io: CliIo): string {
  try {
    return io.readFile(path);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : fsReason(error);
    throw new CliInputError([`${path}: cannot read the file (${why}); expected a readable JSON or YAML file`]);
  }
}

/** A JSON or YAML file's contents; .json files are strict JSON, anything else YAML (a superset of JSON). */
export function readDocument(path: string, io: CliIo): unknown {
  const text = readText(path, io);
  if (path.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new CliInputError([`${path}: not valid JSON (${(error as Error).message}); expected a JSON document`]);
    }
  }
  try {
    return parseYaml(text, { prettyErrors: true });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const at = error.linePos?.[0];
      const firstLine = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new CliInputError([
        `${path}${at ? `:${at.line}:${at.col}` : ''}: not valid YAML (${firstLine}); expected a YAML or JSON document`,
      ]);
    }
    throw error;
  }
}

/** Observations: a JSON/YAML list, or JSON Lines (one observation a line); each labelled for errors. */
export function readObservations(path: string, io: CliIo): { observations: unknown[]; labels: string[] } {
  if (path.endsWith('.jsonl') || path.endsWith('.ndjson')) {
    const observations: unknown[] = [];
    const labels: string[] = [];
    const problems: string[] = [];
    readText(path, io)
      .split('\n')
      .forEach((line, i) => {
        if (line.trim() === '') return;
        try {
          observations.push(JSON.parse(line));
          labels.push(`${path}:${i + 1}`);
        } catch (error) {
          problems.push(`${path}:${i + 1}: not valid JSON (${(error as Error).message}); expected one observation per line`);
        }
      });
    if (problems.length) throw new CliInputError(problems);
    return { observations, labels };
  }
  const document = readDocument(path, io);
  if (!Array.isArray(document)) {
    throw new CliInputError([
      `${path}: got ${document === null ? 'null' : typeof document}; expected a list of observations (or JSON Lines in a .jsonl file)`,
    ]);
  }
  return { observations: document, labels: document.map((_, i) => `${path}[${i}]`) };
}
