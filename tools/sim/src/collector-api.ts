/** An API call that did not answer 2xx: method, path, status and body, to say what went wrong. */
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

export interface EnergyFigures {
  energyKWh: number;
  facilityEnergyKWh: number;
  co2eqKg: number;
  gpuHours: number;
}

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

/** The collector's REST API (/api/v1) as an admin: what the harness needs to set up and read a run. */
export class CollectorApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status < 200 || res.status >= 300) throw new ApiError(method, path, res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  createSite(site: SiteInput): Promise<unknown> {
    return this.call('POST', '/sites', site);
  }

  /** Registers an agent (and its node, in `siteId`); the answer carries its key, once. */
  registerAgent(agent: { id: string; node: string; siteId?: string }): Promise<RegisteredAgent> {
    return this.call('POST', '/agents', agent);
  }

  job(id: string): Promise<JobDetail> {
    return this.call('GET', `/jobs/${encodeURIComponent(id)}`);
  }

  /** Every job id the API lists (all pages). */
  async jobIds(): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.call<{ jobs: Array<{ id: string }>; nextCursor: string | null }>(
        'GET',
        `/jobs?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      ids.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return ids;
  }

  usage(query: {
    groupBy: 'team' | 'user' | 'project' | 'cluster' | 'node' | 'site';
    bucket?: 'hour' | 'day';
    from: Date;
    to: Date;
  }): Promise<Usage> {
    const q = new URLSearchParams({
      groupBy: query.groupBy,
      bucket: query.bucket ?? 'day',
      from: query.from.toISOString(),
      to: query.to.toISOString(),
    });
    return this.call('GET', `/usage?${q.toString()}`);
  }
}
