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
export declare class CollectorUnreachableError extends Error {
  readonly baseUrl: string;
  readonly reason: string;
  constructor(baseUrl: string, reason: string);
}
/** The collector took longer than the client's timeout to answer. */
export declare class CollectorTimeoutError extends Error {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  constructor(baseUrl: string, timeoutMs: number);
}
/** An answer other than 2xx to a call that needed one. */
export declare class ApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly body: string;
  constructor(method: string, path: string, status: number, body: string);
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
  energy: EnergyFigures & {
    samples: number;
  };
  nodes: Array<
    EnergyFigures & {
      node: string;
      devices: Array<
        EnergyFigures & {
          device: string;
          kind: string;
        }
      >;
    }
  >;
  gaps: {
    energyMissing: boolean;
    items: GapItem[];
  };
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
  problems: Array<{
    line?: number;
    index?: number;
    column: string;
    value: string;
    expected: string;
  }>;
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
export declare function messageOf(answer: CollectorAnswer): string;
export declare class CollectorClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  private token;
  constructor(options: CollectorClientOptions);
  /** Calls from now on carry this token. */
  useToken(token: string): void;
  /** The URL of an API path with its query. */
  url(path: string, query?: Query): URL;
  /**
   * One request, whatever the status; throws only when no answer came (CollectorUnreachableError,
   * CollectorTimeoutError).
   */
  send(method: HttpMethod, path: string, query?: Query, options?: SendOptions): Promise<CollectorAnswer>;
  /** A call that must succeed: the parsed JSON body of a 2xx answer, else an ApiError. */
  call<T>(method: HttpMethod, path: string, query?: Query, body?: unknown, contentType?: string): Promise<T>;
  /** True when /ready answers 200 (database and Redis up); false when it answers otherwise or not at all. */
  ready(): Promise<boolean>;
  /** Creates an API token; the answer carries its secret, once. */
  createToken(token: { name: string; role: 'admin' | 'viewer'; team?: string }): Promise<{
    id: string;
    secret: string;
  }>;
  createSite(site: SiteInput): Promise<unknown>;
  /** Registers an agent (and its node, in `siteId`); the answer carries its HMAC key, once. */
  registerAgent(agent: { id: string; node: string; siteId?: string }): Promise<RegisteredAgent>;
  /** Posts one chunk of intensity rows; the raw answer, for callers that word refusals themselves. */
  postIntensity(body: string, options: ImportOptions): Promise<CollectorAnswer>;
  /** Imports intensity rows that must all be accepted by the request (not necessarily each row). */
  importIntensity(body: string, options: ImportOptions): Promise<ImportSummary>;
  /** Every job the token may see, all pages. */
  jobs(query?: Record<string, string | undefined>): Promise<JobSummary[]>;
  job(id: string): Promise<JobDetail>;
  usage(query: UsageQuery): Promise<Usage>;
}
