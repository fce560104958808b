import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { CliInputError } from '../cli-error';
import { type CollectorOptions, collectorOptions, collectorTarget } from '../collector/collector-http';
import { type ImportSummary, type ImportTarget, postImport } from './intensity-api';
import { csvChunks, jsonChunks } from './intensity-chunks';
import { ProgressBar, type ProgressState } from './intensity-progress';

/** What the intensity commands touch outside themselves; tests hand in their own. */
export interface IntensityIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Draw the progress bar only on a terminal: a log file should not fill with carriage returns. */
  stderrIsTTY: boolean;
  env: Record<string, string | undefined>;
  /** Reads a small text file (--token-file). */
  readFile(path: string): string;
}

interface ImportOptions extends CollectorOptions {
  kind: 'actual' | 'forecast';
  format?: 'csv' | 'json';
  source?: string;
  chunkRows: number;
  json?: boolean;
}

/** Problems kept for the final report; the collector lists at most 100 per chunk too. */
const MAX_PROBLEMS = 100;

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000)
    throw new CliInputError([`--chunk-rows: got ${JSON.stringify(value)}; expected an integer from 1 to 1000000`]);
  return n;
}

/** Sums the collector's answers to each chunk into one report for the whole file. */
class SummaryTotal implements ImportSummary {
  rows = 0;
  imported = 0;
  rejected = 0;
  problems: ImportSummary['problems'] = [];
  problemsOmitted = 0;
  chunks = 0;

  add(s: ImportSummary): void {
    this.chunks++;
    this.rows += s.rows;
    this.imported += s.imported;
    this.rejected += s.rejected;
    this.problemsOmitted += s.problemsOmitted;
    for (const p of s.problems) {
      if (this.problems.length < MAX_PROBLEMS) this.problems.push(p);
      else this.problemsOmitted++;
    }
  }
}

function describeProblem(p: ImportSummary['problems'][number]): string {
  const where = p.line !== undefined ? `line ${p.line}` : `element ${p.index}`;
  return `${where}, ${p.column}: got ${JSON.stringify(p.value)}; expected ${p.expected}`;
}

async function importCsv(
  file: string,
  size: number,
  target: ImportTarget,
  chunkRows: number,
  onProgress: (s: ProgressState) => void,
  total: SummaryTotal,
): Promise<void> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  for await (const chunk of csvChunks(lines, chunkRows)) {
    total.add(await postImport(target, chunk.body, 'text/csv', { line: chunk.firstLine }));
    onProgress({ bytesRead: stream.bytesRead, totalBytes: size, rows: total.rows, rejected: total.rejected });
  }
}

async function importJson(
  file: string,
  size: number,
  target: ImportTarget,
  chunkRows: number,
  onProgress: (s: ProgressState) => void,
  total: SummaryTotal,
): Promise<void> {
  // JSON is read whole: an array cannot be split safely without a streaming parser (none installed).
  let elements: unknown;
  try {
    elements = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliInputError([`${file}: not valid JSON: ${(error as Error).message}`]);
  }
  if (!Array.isArray(elements)) throw new CliInputError([`${file}: expected a JSON array of {region,start,end,gPerKwh,kind?}`]);
  let done = 0;
  for (const chunk of jsonChunks(elements, chunkRows)) {
    total.add(await postImport(target, JSON.stringify(chunk.elements), 'application/json', { index: chunk.index }));
    done += chunk.elements.length;
    onProgress({ bytesRead: Math.round((size * done) / elements.length), totalBytes: size, rows: total.rows, rejected: total.rejected });
  }
}

/**
 * `wattprint intensity import FILE`: streams a CSV (`region,start,end,g_per_kwh[,kind]`) or a JSON
 * array to the collector in chunks, showing progress on a terminal, and reports every bad row with
 * its line. Exits 1 when any row was rejected, after the valid ones were imported.
 */
export function registerIntensityCommands(program: Command, io: Partial<IntensityIo> = {}): void {
  const out = io.stdout ?? ((t: string) => void process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => void process.stderr.write(t));
  const tty = io.stderrIsTTY ?? Boolean(process.stderr.isTTY);
  const env = io.env ?? process.env;
  const readFile = io.readFile ?? ((path: string) => readFileSync(path, 'utf8'));

  const intensity = program.command('intensity').description('grid carbon intensity: import series into the collector');
  const command = intensity
    .command('import')
    .description('import a CSV (region,start,end,g_per_kwh[,kind]) or JSON array of {region,start,end,gPerKwh,kind?} into the collector')
    .argument('<file>', 'a .csv or .json file (examples/intensity-import.csv shows the format)');
  collectorOptions(command, 'admin API token')
    .addOption(new Option('--kind <kind>', 'kind of rows without a kind column').choices(['actual', 'forecast']).default('actual'))
    .addOption(new Option('--format <format>', 'file format (default: from the extension)').choices(['csv', 'json']))
    .option('--source <name>', 'recorded as import:<name> (default: the file name)')
    .option('--chunk-rows <n>', 'rows per request', positiveInt, 5000)
    .option('--json', 'print the import summary as JSON')
    .action(async (file: string, options: ImportOptions) => {
      const { url, token, timeoutMs } = collectorTarget(options, env, readFile);
      if (!token) throw new CliInputError(['no API token: pass --token or --token-file, or set WATTPRINT_TOKEN']);
      let size: number;
      try {
        size = statSync(file).size;
      } catch (error) {
        throw new CliInputError([`${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
      }
      const format = options.format ?? (extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
      const source = (options.source ?? basename(file)).replace(/[^A-Za-z0-9._:@ -]/g, '_').slice(0, 100) || 'cli';
      const target: ImportTarget = { url, token, timeoutMs, kind: options.kind, source };

      const bar = tty ? new ProgressBar(err) : null;
      let last: ProgressState = { bytesRead: 0, totalBytes: size, rows: 0, rejected: 0 };
      const onProgress = (s: ProgressState) => {
        last = s;
        bar?.update(s);
      };
      const total = new SummaryTotal();
      try {
        if (format === 'json') await importJson(file, size, target, options.chunkRows, onProgress, total);
        else await importCsv(file, size, target, options.chunkRows, onProgress, total);
      } finally {
        bar?.done(last);
      }

      const summary = {
        file,
        rows: total.rows,
        imported: total.imported,
        rejected: total.rejected,
        chunks: total.chunks,
        problems: total.problems,
        problemsOmitted: total.problemsOmitted,
      };
      if (options.json) {
        out(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        out(
          `imported ${total.imported.toLocaleString('en-US')} of ${total.rows.toLocaleString('en-US')} rows from ${file} (${total.rejected.toLocaleString('en-US')} rejected) as import:${source}\n`,
        );
        for (const p of total.problems) out(`  ${describeProblem(p)}\n`);
        if (total.problemsOmitted > 0) out(`  … and ${total.problemsOmitted.toLocaleString('en-US')} more problems\n`);
      }
      if (total.rejected > 0)
        throw new CliInputError([`${file}: ${total.rejected} of ${total.rows} rows rejected; the others were imported`]);
    });
}
