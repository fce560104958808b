import { readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HookConfig } from './config';
import { readTeamMap, teamOf } from './team-map';

/** What job_submit.lua does with a job: accept it silently, accept it with the line, or refuse it with the line. */
export type AdmitAction = 'allow' | 'warn' | 'refuse';

export interface AdmitRequest {
  specPath: string;
  account: string;
  /** The submitting user's uid: the spec must be theirs (or world-readable), since this runs as root. */
  uid: number;
  project?: string;
}

/** The token in a comment that names the spec: `wattprint-spec=/path/to/spec.yaml` (the rest of the comment is free). */
export function specPathOf(comment: string | undefined): string | null {
  const m = /(?:^|\s)wattprint-spec=(\S+)/.exec(comment ?? '');
  return m ? m[1] : null;
}

/**
 * Reads a run spec the submitting user may read: a file they own, or one anyone may read. slurmctld
 * runs job_submit.lua as SlurmUser (often root), so without this a job could send any file of the
 * controller to the collector.
 */
export function readSpec(path: string, uid: number): unknown {
  if (!path.startsWith('/')) throw new Error(`wattprint-spec=${path}: expected an absolute path`);
  const st = statSync(path);
  if (!st.isFile()) throw new Error(`wattprint-spec=${path}: not a file`);
  if (st.uid !== uid && (st.mode & 0o004) === 0)
    throw new Error(`wattprint-spec=${path}: not owned by the submitting user nor world-readable`);
  if (st.size > 1024 * 1024) throw new Error(`wattprint-spec=${path}: larger than 1 MiB`);
  const text = readFileSync(path, 'utf8');
  if (/\.json$/i.test(path) || /^\s*[{[]/.test(text)) return JSON.parse(text);
  // YAML needs the `yaml` package of the repository's node_modules: loaded here only, never on a hook's path
  const { parse } = require('yaml') as { parse(text: string): unknown };
  return parse(text);
}

/** POSTs to /api/v1/admission within `timeoutMs`; the status and parsed body, or the reason there is none. */
function postAdmission(config: HookConfig, token: string, body: unknown): Promise<{ status: number; body: unknown } | { error: string }> {
  const url = new URL(`${config.url}/api/v1/admission`);
  const payload = JSON.stringify(body);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const ca = config.caFile !== null ? readFileSync(config.caFile, 'utf8') : null;
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: { status: number; body: unknown } | { error: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        ...(ca !== null ? { ca } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            settle({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            settle({ error: `answered ${res.statusCode} without JSON` });
          }
        });
      },
    );
    const timer = setTimeout(() => {
      settle({ error: `no answer from ${url.origin} within ${config.admitTimeoutMs} ms` });
      req.destroy();
    }, config.admitTimeoutMs);
    req.on('error', (error) => settle({ error: `${url.origin}: ${(error as NodeJS.ErrnoException).code ?? error.message}` }));
    req.end(payload);
  });
}

/**
 * The action for job_submit.lua and the line for the user. The collector's `refuse` refuses only in
 * `refuse` mode (else it warns); a collector that cannot be asked, or a spec that cannot be read,
 * allows the job and says why (`warn`): the check must never stop a cluster when Wattprint is away.
 */
export async function admit(config: HookConfig, req: AdmitRequest): Promise<{ action: AdmitAction; line: string }> {
  const skipped = (why: string) => ({ action: 'warn' as const, line: `wattprint: budget check skipped, job accepted: ${why}` });
  if (config.url === null || config.tokenFile === null) return skipped('WATTPRINT_URL or WATTPRINT_TOKEN_FILE is not set');
  let spec: unknown;
  let team: string;
  let token: string;
  try {
    spec = readSpec(req.specPath, req.uid);
    team = teamOf(req.account, readTeamMap(config.teamsFile));
    token = readFileSync(config.tokenFile, 'utf8').trim();
  } catch (error) {
    return skipped((error as Error).message);
  }
  const answer = await postAdmission(config, token, { team, ...(req.project ? { project: req.project } : {}), spec });
  if ('error' in answer) return skipped(answer.error);
  const body = answer.body as { verdict?: string; line?: string; problems?: Array<{ path: string; message: string }>; message?: string };
  if (answer.status === 400 && Array.isArray(body.problems)) {
    // a spec the model cannot use is the user's to fix, like any other bad option
    return { action: 'refuse', line: `wattprint: ${req.specPath}: ${body.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}` };
  }
  if (answer.status !== 200 || (body.verdict !== 'allow' && body.verdict !== 'warn' && body.verdict !== 'refuse')) {
    return skipped(`the collector answered ${answer.status}: ${body.message ?? JSON.stringify(body).slice(0, 200)}`);
  }
  const line = `wattprint: ${body.line}`;
  if (body.verdict === 'refuse') return { action: config.admission === 'refuse' ? 'refuse' : 'warn', line };
  return { action: body.verdict, line };
}
