import type { ImportSummary } from '@wattprint/api-client';
import { CliInputError } from '../cli-error';
import { type CollectorTarget, collectorRequest, refusedToken } from '../collector/collector-http';

export type { ImportSummary };

export interface ImportTarget extends CollectorTarget {
  kind: 'actual' | 'forecast';
  source: string;
}

/** Posts one chunk to POST /api/v1/intensity/import; any answer but 200 becomes an error the person can act on. */
export async function postImport(
  target: ImportTarget,
  body: string,
  contentType: 'text/csv' | 'application/json',
  position: { line?: number; index?: number },
): Promise<ImportSummary> {
  const query = { kind: target.kind, source: target.source, line: position.line, index: position.index };
  const answer = await collectorRequest(target, 'POST', '/api/v1/intensity/import', query, { contentType, body });
  if (answer.status === 200 && answer.body && typeof answer.body === 'object' && 'imported' in answer.body)
    return answer.body as ImportSummary;
  const refused = refusedToken(answer, 'an admin token');
  if (refused) throw refused;
  const problems = (answer.body as { problems?: Array<Record<string, unknown>> } | undefined)?.problems;
  if (Array.isArray(problems) && problems.length > 0) {
    throw new CliInputError(
      problems.map((p) =>
        'line' in p
          ? `line ${p.line}, ${p.column}: got ${JSON.stringify(p.value)}; expected ${p.expected}`
          : `${p.path ?? p.column}: ${p.message ?? p.expected}`,
      ),
    );
  }
  throw new CliInputError([`the collector answered ${answer.status}: ${answer.text.slice(0, 300)}`]);
}
