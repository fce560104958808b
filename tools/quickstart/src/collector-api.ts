/** What the quick start reads from the collector's REST API (docs/api.md); only the fields it uses. */
export interface JobSummary {
  id: string;
  name: string | null;
  user: string | null;
  team: string | null;
  state: 'running' | 'ended' | 'unknown';
  lastSeenAt: string;
  energyKWh: number;
  co2eqKg: number;
}

export interface TimelineMinute {
  minute: string;
  energyKWh: number;
  meanPowerW: number;
}

export interface UsageRow {
  key: string | null;
  energyKWh: number;
  facilityEnergyKWh: number;
  co2eqKg: number;
}

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${path}: HTTP ${status} ${body.slice(0, 300)}`);
    this.name = 'ApiError';
  }
}

/** A thin client of the collector's API with one bearer token. */
export class CollectorApi {
  constructor(
    readonly baseUrl: string,
    private token: string,
  ) {}

  useToken(token: string): void {
    this.token = token;
  }

  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/ready`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  async createAdminToken(name: string): Promise<string> {
    const created = await this.call<{ secret: string }>('POST', '/api/v1/tokens', { name, role: 'admin' });
    return created.secret;
  }

  async createSite(site: { id: string; name: string; region: string; pue: number }): Promise<void> {
    await this.call('POST', '/api/v1/sites', site);
  }

  /** Registers an agent on `node` in `siteId`; returns its HMAC key (shown once by the API). */
  async registerAgent(id: string, node: string, siteId: string): Promise<string> {
    const created = await this.call<{ key: string }>('POST', '/api/v1/agents', { id, node, siteId });
    return created.key;
  }

  async importIntensityCsv(csv: string, source: string): Promise<{ imported: number; rejected: number }> {
    return this.call('POST', `/api/v1/intensity/import?source=${encodeURIComponent(source)}`, csv, 'text/csv');
  }

  async jobs(): Promise<JobSummary[]> {
    const all: JobSummary[] = [];
    let cursor: string | null = null;
    do {
      const query = `/api/v1/jobs?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { jobs: JobSummary[]; nextCursor: string | null } = await this.call('GET', query);
      all.push(...page.jobs);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  }

  async jobTimeline(id: string): Promise<TimelineMinute[]> {
    const detail = await this.call<{ timeline: TimelineMinute[] }>('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
    return detail.timeline;
  }

  async usageBySite(fromMs: number, toMs: number): Promise<UsageRow[]> {
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const usage = await this.call<{ rows: UsageRow[] }>('GET', `/api/v1/usage?groupBy=site&bucket=day&from=${from}&to=${to}`);
    return usage.rows;
  }

  private async call<T = unknown>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': contentType }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiError(method, path.split('?')[0], res.status, text);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }
}
