/**
 * The collector's REST API (/api/v1, docs/api.md) from outside: the CLI, the quick start and the
 * process harness all call it through this one client, so every call has a timeout, a collector that
 * cannot be reached says where it was looked for, and a refusal carries method, path, status and body.
 */

/** One answer: the status, the raw text, and the text parsed as JSON when it is JSON. */
export interface CollectorAnswer {
  status: number;
  text: string;
  body: unknown;
}

/** Nothing answered at the URL: refused, unresolvable, reset. */
export class CollectorUnreachableError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly reason: string,
  ) {
    super(`cannot reach the collector at ${baseUrl}: ${reason}`);
    this.name = 'CollectorUnreachableError';
  }
}

/** The collector took longer than the client's timeout to answer. */
export class CollectorTimeoutError extends Error {
  constructor(
    readonly baseUrl: string,
    readonly timeoutMs: number,
  ) {
    super(`the collector at ${baseUrl} did not answer within ${timeoutMs / 1000} s`);
    this.name = 'CollectorTimeoutError';
  }
}

/** An answer other than 2xx to a call that needed one. */
export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path} answered ${status}: ${body.slice(0, 500)}`);
    this.name = 'ApiError';
  }
}

export interface CollectorClientOptions {
  /** e.g. http://127.0.0.1:8080 (no trailing /api/v1). */
  baseUrl: string;
  /** Bearer token; calls without one are sent without Authorization. */
  token?: string;
  /** Longest wait for one answer, ms (30000). */
  timeoutMs?: number;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface SendOptions {
  body?: string;
  contentType?: string;
  accept?: string;
}

/** Query parameters; undefined values are left out. */
export type Query = Record<string, string | number | undefined>;

/** A scheduler's job event (docs/api.md, Job events). */
export interface SchedulerJobEvent {
  eventId: string;
  type: 'start' | 'end' | 'metadata';
  jobId: string;
  /** ISO 8601 or epoch ms. */
  at: string | number;
  metadata?: Record<string, unknown>;
  nodes?: string[];
  exitCode?: number | null;
  exitState?: string;
}

export interface SiteInput {
  id: string;
  name: string;
  region: string;
  pue: number;
}

export interface RegisteredAgent {
  id: string;
  node: string;
  siteId: string | null;
  /** HMAC key, returned once at registration. */
  key: string;
}

export interface EnergyFigures {
  energyKWh: number;
  facilityEnergyKWh: number;
  co2eqKg: number;
  gpuHours: number;
}

/** A row of GET /api/v1/jobs (the fields the tools use). */
export interface JobSummary extends EnergyFigures {
  id: string;
  name: string | null;
  user: string | null;
  team: string | null;
  project: string | null;
  state: 'running' | 'ended' | 'unknown';
  lastSeenAt: string;
}

export interface TimelineMinute {
  minute: string;
  energyKWh: number;
  meanPowerW: number;
}

export interface GapItem {
  node: string;
  agentId: string;
  bootId: string;
  fromSeq: number;
  toSeq: number;
  missingSamples: number;
  from: string;
  to: string;
}

/** GET /api/v1/jobs/:id (the fields the tools use). */
export interface JobDetail {
  job: {
    id: string;
    name: string | null;
    user: string | null;
    team: string | null;
    project: string | null;
    state: string;
    inferred: boolean;
    startedAt: string | null;
    endedAt: string | null;
    scheduler: string | null;
    forecastId: string | null;
  };
  energy: EnergyFigures & { samples: number };
  nodes: Array<EnergyFigures & { node: string; devices: Array<EnergyFigures & { device: string; kind: string }> }>;
  gaps: { energyMissing: boolean; items: GapItem[] };
  timeline: TimelineMinute[];
}

export interface UsageRow extends EnergyFigures {
  period: string;
  key: string | null;
  idle: boolean;
  idleShare: number;
}

export interface Usage {
  rows: UsageRow[];
  totals: EnergyFigures;
}

export interface UsageQuery {
  groupBy: 'team' | 'user' | 'project' | 'cluster' | 'node' | 'site';
  bucket?: 'hour' | 'day';
  from: Date;
  to: Date;
}

/** The collector's summary of one import request. */
export interface ImportSummary {
  rows: number;
  imported: number;
  rejected: number;
  problems: Array<{ line?: number; index?: number; column: string; value: string; expected: string }>;
  problemsOmitted: number;
}

export interface ImportOptions {
  contentType: 'text/csv' | 'application/json';
  kind?: 'actual' | 'forecast';
  source?: string;
  /** Line in the whole file of the chunk's first row (CSV), so problems name the file's lines. */
  line?: number;
  /** Index in the whole array of the chunk's first element (JSON). */
  index?: number;
}

/** A collector's refusal or failure, worded from its own `message` when it sent one. */
export function messageOf(answer: CollectorAnswer): string {
  const message = (answer.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : answer.text.slice(0, 300);
}

export class CollectorClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private token: string | undefined;

  constructor(options: CollectorClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Calls from now on carry this token. */
  useToken(token: string): void {
    this.token = token;
  }

  /** The URL of an API path with its query. */
  url(path: string, query: Query = {}): URL {
    const url = new URL(path, `${this.baseUrl}/`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /**
   * One request, whatever the status; throws only when no answer came (CollectorUnreachableError,
   * CollectorTimeoutError).
   */
  async send(method: HttpMethod, path: string, query: Query = {}, options: SendOptions = {}): Promise<CollectorAnswer> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (options.contentType) headers['content-type'] = options.contentType;
    if (options.accept) headers.accept = options.accept;
    let res: Response;
    let text: string;
    try {
      res = await fetch(this.url(path, query), { method, headers, body: options.body, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (error) {
      const e = error as { name?: string; message?: string; cause?: { message?: string; code?: string } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new CollectorTimeoutError(this.baseUrl, this.timeoutMs);
      throw new CollectorUnreachableError(this.baseUrl, e.cause?.code ?? e.cause?.message ?? e.message ?? String(error));
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, text, body };
  }

  /** A call that must succeed: the parsed JSON body of a 2xx answer, else an ApiError. */
  async call<T>(method: HttpMethod, path: string, query: Query = {}, body?: unknown, contentType = 'application/json'): Promise<T> {
    const answer = await this.send(method, path, query, {
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      contentType: body === undefined ? undefined : contentType,
    });
    if (answer.status < 200 || answer.status >= 300) throw new ApiError(method, path, answer.status, answer.text);
    return answer.body as T;
  }

  /** True when /ready answers 200 (database and Redis up); false when it answers otherwise or not at all. */
  async ready(): Promise<boolean> {
    try {
      return (await this.send('GET', '/ready')).status === 200;
    } catch {
      return false;
    }
  }

  /** Creates an API token; the answer carries its secret, once. */
  createToken(token: { name: string; role: 'admin' | 'viewer' | 'scheduler'; team?: string }): Promise<{ id: string; secret: string }> {
    return this.call('POST', '/api/v1/tokens', {}, token);
  }

  createSite(site: SiteInput): Promise<unknown> {
    return this.call('POST', '/api/v1/sites', {}, site);
  }

  /** Registers an agent (and its node, in `siteId`); the answer carries its HMAC key, once. */
  registerAgent(agent: { id: string; node: string; siteId?: string }): Promise<RegisteredAgent> {
    return this.call('POST', '/api/v1/agents', {}, agent);
  }

  /** Posts one chunk of intensity rows; the raw answer, for callers that word refusals themselves. */
  postIntensity(body: string, options: ImportOptions): Promise<CollectorAnswer> {
    const { contentType, ...query } = options;
    return this.send('POST', '/api/v1/intensity/import', query, { body, contentType });
  }

  /** Imports intensity rows that must all be accepted by the request (not necessarily each row). */
  importIntensity(body: string, options: ImportOptions): Promise<ImportSummary> {
    const { contentType, ...query } = options;
    return this.call('POST', '/api/v1/intensity/import', query, body, contentType);
  }

  /** Every job the token may see, all pages. */
  async jobs(query: Record<string, string | undefined> = {}): Promise<JobSummary[]> {
    const all: JobSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call<{ jobs: JobSummary[]; nextCursor: string | null }>('GET', '/api/v1/jobs', {
        ...query,
        limit: 500,
        cursor,
      });
      all.push(...page.jobs);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }

  job(id: string): Promise<JobDetail> {
    return this.call('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
  }

  /** What a scheduler says of a job (POST /api/v1/job-events, role scheduler or admin); `applied` is false for an event id seen before. */
  publishJobEvent(event: SchedulerJobEvent): Promise<{ applied: boolean }> {
    return this.call('POST', '/api/v1/job-events', {}, event);
  }

  usage(query: UsageQuery): Promise<Usage> {
    return this.call('GET', '/api/v1/usage', {
      groupBy: query.groupBy,
      bucket: query.bucket ?? 'day',
      from: query.from.toISOString(),
      to: query.to.toISOString(),
    });
  }
}
