import { formatEnergy } from '@wattprint/estimation';
import type { Command } from 'commander';
import { z } from 'zod';
import { CliInputError } from '../cli-error';
import {
  type CollectorOptions,
  collectorOptions,
  collectorRequest,
  collectorTarget,
  messageOf,
  refusedToken,
} from '../collector/collector-http';
import { renderTable } from '../format/table';
import { readDocument } from '../files/read-document';
import type { CliIo } from '../io';

const Quantiles = z.object({ p10: z.number(), p50: z.number(), p90: z.number() });

/** The part of GET /api/v1/searches/:id the view shows. */
const SearchStatus = z.object({
  id: z.string(),
  name: z.string().nullable(),
  team: z.string().nullable(),
  trials: z.object({
    planned: z.number().nullable(),
    running: z.number(),
    ended: z.number(),
    unknown: z.number(),
    items: z.array(
      z.object({
        jobId: z.string(),
        trial: z.number().nullable(),
        state: z.string(),
        endedAt: z.string().nullable(),
        energyKWh: z.number(),
        energyMissing: z.boolean(),
      }),
    ),
  }),
  measured: z.object({ endedKWh: z.number(), runningKWh: z.number() }),
  forecast: z.object({ searchEnergyKWh: Quantiles }).nullable(),
  projection: z
    .object({
      energyKWh: z.object({ p10: z.number().nullable(), p50: z.number(), p90: z.number().nullable() }),
      basedOnTrials: z.number(),
      trials: z.number(),
    })
    .nullable(),
});
type SearchStatus = z.infer<typeof SearchStatus>;

const SEARCH_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** formatEnergy with a unit for nothing too: "0 Wh", not "0". */
const energy = (kWh: number) => (kWh === 0 ? '0 Wh' : formatEnergy(kWh));

const interval = (q: { p10: number | null; p50: number; p90: number | null }) =>
  q.p10 === null || q.p90 === null
    ? formatEnergy(q.p50)
    : `${formatEnergy(q.p50)} (p10–p90 ${formatEnergy(q.p10)} – ${formatEnergy(q.p90)})`;

/** The table for people: the search, its figures, then one row per trial. */
export function formatSearchStatus(s: SearchStatus): string {
  const title = `search ${s.id}${s.name ? ` (${s.name})` : ''}${s.team ? `, team ${s.team}` : ''}`;
  const t = s.trials;
  const lines = [
    title,
    `trials:       ${t.planned === null ? 'no stored search spec' : `${t.planned} planned`}, ${t.running} running, ${t.ended} ended${t.unknown ? `, ${t.unknown} unknown` : ''}`,
    `CT so far:    ${energy(s.measured.endedKWh)} over the ended trials${t.running ? `; ${energy(s.measured.runningKWh)} drawn by running ones` : ''}`,
    `CT forecast:  ${s.forecast ? interval(s.forecast.searchEnergyKWh) : 'none (no stored search spec)'}`,
    `projection:   ${
      s.projection
        ? `${interval(s.projection.energyKWh)} for ${s.projection.trials} trials, from ${s.projection.basedOnTrials} ended`
        : 'none yet (needs an ended trial and a stored search spec)'
    }`,
  ];
  const missing = t.items.filter((i) => i.energyMissing).length;
  if (missing > 0) lines.push(`warning:      ${missing} trial(s) lost samples (seq gaps): their energy is a lower bound`);
  const rows = t.items.map((i) => [
    i.trial === null ? '-' : String(i.trial),
    i.jobId,
    i.state,
    energy(i.energyKWh),
    i.energyMissing ? 'samples missing' : '',
  ]);
  const table =
    rows.length === 0
      ? 'no trials yet: launch them with `wattprint run --search ' + s.id + ' --trial N -- <command>`\n'
      : renderTable(
          [
            { header: 'trial', align: 'right' },
            { header: 'job' },
            { header: 'state' },
            { header: 'energy', align: 'right' },
            { header: '' },
          ],
          rows,
        );
  return `${lines.join('\n')}\n\n${table}`;
}

interface StatusOptions extends CollectorOptions {
  json?: boolean;
}

interface CreateOptions extends StatusOptions {
  id?: string;
  name?: string;
}

function targetOf(options: CollectorOptions, io: CliIo) {
  const { url, token, timeoutMs } = collectorTarget(options, process.env, (path) => io.readFile(path));
  if (!token) throw new CliInputError(['--token: not given; expected --token, --token-file or WATTPRINT_TOKEN']);
  return { url, token, timeoutMs };
}

export function registerSearchCommand(program: Command, io: CliIo): void {
  const search = program
    .command('search')
    .description('hyperparameter searches on the collector: trials, CT so far, forecast and projection');
  const create = search
    .command('create')
    .description('store a run spec with a search section on the collector, with its CT forecast')
    .argument('<spec>', 'run spec file with a search section, e.g. examples/random-search-dense.yaml')
    .option('--id <id>', 'the id to launch trials with (wattprint run --search ID); default srch_<random>')
    .option('--name <name>', 'a name for people (default the spec’s name)');
  collectorOptions(create, 'API token: admin or viewer (a viewer’s search belongs to its team)')
    .option('--json', 'print the collector’s answer as JSON')
    .action(async (specPath: string, options: CreateOptions) => {
      if (options.id !== undefined && !SEARCH_ID.test(options.id))
        throw new CliInputError([`--id: got ${JSON.stringify(options.id)}; expected 1 to 128 letters, digits and . _ : @ -`]);
      const spec = readDocument(specPath, io);
      const target = targetOf(options, io);
      const body = JSON.stringify({ ...(options.id ? { id: options.id } : {}), ...(options.name ? { name: options.name } : {}), spec });
      const answer = await collectorRequest(target, 'POST', '/api/v1/searches', {}, { contentType: 'application/json', body });
      const refused = refusedToken(answer, 'an admin or viewer token');
      if (refused) throw refused;
      const problems = (answer.body as { problems?: Array<{ path?: string; message?: string }> } | undefined)?.problems;
      if (answer.status === 400 && Array.isArray(problems))
        throw new CliInputError(
          problems.map((p) => `${specPath}: ${String(p.path ?? '').replace(/^spec\.?/, '') || '(root)'}: ${p.message}`),
        );
      if (answer.status !== 201) throw new CliInputError([`the collector answered ${answer.status}: ${messageOf(answer)}`]);
      if (options.json) {
        io.stdout(`${JSON.stringify(answer.body, null, 2)}\n`);
        return;
      }
      const parsed = SearchStatus.safeParse(answer.body);
      if (!parsed.success)
        throw new CliInputError([
          `the collector at ${target.url} answered 201 with an unexpected body; expected a Wattprint collector's search`,
        ]);
      io.stdout(formatSearchStatus(parsed.data));
    });

  const status = search
    .command('status')
    .description('show a search: trials planned, running and ended, CT so far, CT forecast and projected final CT')
    .argument('<id>', 'the search id (the one trials are launched with: wattprint run --search ID)');
  collectorOptions(status, 'API token: admin, or a viewer of the search’s team')
    .option('--json', 'print the collector’s answer (GET /api/v1/searches/:id) as JSON')
    .action(async (id: string, options: StatusOptions) => {
      if (!SEARCH_ID.test(id))
        throw new CliInputError([`<id>: got ${JSON.stringify(id)}; expected 1 to 128 letters, digits and . _ : @ -`]);
      const target = targetOf(options, io);
      const { url } = target;
      const answer = await collectorRequest(target, 'GET', `/api/v1/searches/${encodeURIComponent(id)}`);
      const refused = refusedToken(answer, 'an admin token or a viewer token of the search’s team');
      if (refused) throw refused;
      if (answer.status === 404) throw new CliInputError([`no search "${id}" on ${url} (or it is another team’s)`]);
      if (answer.status !== 200) throw new CliInputError([`the collector answered ${answer.status}: ${messageOf(answer)}`]);
      if (options.json) {
        io.stdout(`${JSON.stringify(answer.body, null, 2)}\n`);
        return;
      }
      const parsed = SearchStatus.safeParse(answer.body);
      if (!parsed.success)
        throw new CliInputError([`the collector at ${url} answered 200 with an unexpected body; expected a Wattprint collector's search`]);
      io.stdout(formatSearchStatus(parsed.data));
    });
}
