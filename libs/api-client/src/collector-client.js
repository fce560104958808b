'use strict';
/**
 * The collector's REST API (/api/v1, docs/api.md) from outside: the CLI, the quick start and the
 * process harness all call it through this one client, so every call has a timeout, a collector that
 * cannot be reached says where it was looked for, and a refusal carries method, path, status and body.
 */
Object.defineProperty(exports, '__esModule', { value: true });
exports.CollectorClient = exports.ApiError = exports.CollectorTimeoutError = exports.CollectorUnreachableError = void 0;
exports.messageOf = messageOf;
/** Nothing answered at the URL: refused, unresolvable, reset. */
class CollectorUnreachableError extends Error {
  baseUrl;
  reason;
  constructor(baseUrl, reason) {
    super(`cannot reach the collector at ${baseUrl}: ${reason}`);
    this.baseUrl = baseUrl;
    this.reason = reason;
    this.name = 'CollectorUnreachableError';
  }
}
exports.CollectorUnreachableError = CollectorUnreachableError;
/** The collector took longer than the client's timeout to answer. */
class CollectorTimeoutError extends Error {
  baseUrl;
  timeoutMs;
  constructor(baseUrl, timeoutMs) {
    super(`the collector at ${baseUrl} did not answer within ${timeoutMs / 1000} s`);
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
    this.name = 'CollectorTimeoutError';
  }
}
exports.CollectorTimeoutError = CollectorTimeoutError;
/** An answer other than 2xx to a call that needed one. */
class ApiError extends Error {
  method;
  path;
  status;
  body;
  constructor(method, path, status, body) {
    super(`${method} ${path} answered ${status}: ${body.slice(0, 500)}`);
    this.method = method;
    this.path = path;
    this.status = status;
    this.body = body;
    this.name = 'ApiError';
  }
}
exports.ApiError = ApiError;
/** A collector's refusal or failure, worded from its own `message` when it sent one. */
function messageOf(answer) {
  const message = answer.body?.message;
  return typeof message === 'string' ? message : answer.text.slice(0, 300);
}
class CollectorClient {
  baseUrl;
  timeoutMs;
  token;
  constructor(options) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }
  /** Calls from now on carry this token. */
  useToken(token) {
    this.token = token;
  }
  /** The URL of an API path with its query. */
  url(path, query = {}) {
    const url = new URL(path, `${this.baseUrl}/`);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }
  /**
   * One request, whatever the status; throws only when no answer came (CollectorUnreachableError,
   * CollectorTimeoutError).
   */
  async send(method, path, query = {}, options = {}) {
    const headers = {};
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    if (options.contentType) headers['content-type'] = options.contentType;
    if (options.accept) headers.accept = options.accept;
    let res;
    let text;
    try {
      res = await fetch(this.url(path, query), { method, headers, body: options.body, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (error) {
      const e = error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new CollectorTimeoutError(this.baseUrl, this.timeoutMs);
      throw new CollectorUnreachableError(this.baseUrl, e.cause?.code ?? e.cause?.message ?? e.message ?? String(error));
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, text, body };
  }
  /** A call that must succeed: the parsed JSON body of a 2xx answer, else an ApiError. */
  async call(method, path, query = {}, body, contentType = 'application/json') {
    const answer = await this.send(method, path, query, {
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      contentType: body === undefined ? undefined : contentType,
    });
    if (answer.status < 200 || answer.status >= 300) throw new ApiError(method, path, answer.status, answer.text);
    return answer.body;
  }
  /** True when /ready answers 200 (database and Redis up); false when it answers otherwise or not at all. */
  async ready() {
    try {
      return (await this.send('GET', '/ready')).status === 200;
    } catch {
      return false;
    }
  }
  /** Creates an API token; the answer carries its secret, once. */
  createToken(token) {
    return this.call('POST', '/api/v1/tokens', {}, token);
  }
  createSite(site) {
    return this.call('POST', '/api/v1/sites', {}, site);
  }
  /** Registers an agent (and its node, in `siteId`); the answer carries its HMAC key, once. */
  registerAgent(agent) {
    return this.call('POST', '/api/v1/agents', {}, agent);
  }
  /** Posts one chunk of intensity rows; the raw answer, for callers that word refusals themselves. */
  postIntensity(body, options) {
    const { contentType, ...query } = options;
    return this.send('POST', '/api/v1/intensity/import', query, { body, contentType });
  }
  /** Imports intensity rows that must all be accepted by the request (not necessarily each row). */
  importIntensity(body, options) {
    const { contentType, ...query } = options;
    return this.call('POST', '/api/v1/intensity/import', query, body, contentType);
  }
  /** Every job the token may see, all pages. */
  async jobs(query = {}) {
    const all = [];
    let cursor;
    do {
      const page = await this.call('GET', '/api/v1/jobs', {
        ...query,
        limit: 500,
        cursor,
      });
      all.push(...page.jobs);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }
  job(id) {
    return this.call('GET', `/api/v1/jobs/${encodeURIComponent(id)}`);
  }
  usage(query) {
    return this.call('GET', '/api/v1/usage', {
      groupBy: query.groupBy,
      bucket: query.bucket ?? 'day',
      from: query.from.toISOString(),
      to: query.to.toISOString(),
    });
  }
}
exports.CollectorClient = CollectorClient;
//# sourceMappingURL=collector-client.js.map
