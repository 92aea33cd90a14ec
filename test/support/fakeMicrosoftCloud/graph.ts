/** The fake Graph's router: programmed routes, one-shot failures, fixture routes, records and batch throttling. */
import type { IncomingHttpHeaders } from 'node:http';
import { graphError, reply, type FakeGraphRequest, type GraphHandler, type GraphReply } from './odata';

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: GraphHandler;
  tenantId?: string;
  /** Remaining uses; undefined = unlimited. */
  times?: number;
  /** For fixture routes: the bot's app needs one of these application permissions. */
  permissions?: string[];
}

function compile(path: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = path
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) =>
      segment.replace(/\{(\w+)\}|[.*+?^$()|[\]\\]/g, (m, name: string | undefined) => {
        if (name) {
          names.push(name);
          return '([^/]+)';
        }
        return `\\${m}`;
      }),
    )
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`, 'i'), names };
}

/** One recorded request to the server. */
export interface RecordedRequest {
  at: Date;
  method: string;
  /** Path and query as received. */
  url: string;
  path: string;
  host?: string;
  authorization?: string;
  /** 'token' | 'graph' | 'other' */
  kind: 'token' | 'graph' | 'other';
  status?: number;
}

export interface RecordedGraphRequest extends RecordedRequest {
  kind: 'graph';
  version: string;
  /** Decoded path without version. */
  graphPath: string;
  query: Record<string, string>;
  tenantId?: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The id of the request inside a JSON `$batch` (the batch itself is recorded too). */
  batchId?: string;
}

/** Throttling of requests inside `$batch`: every `every`-th request (never the same URL twice) answers 429. */
export interface BatchThrottle {
  every: number;
  retryAfterSeconds: number;
}

export interface FailureSpec {
  /** The status to answer; ignored with `drop`. */
  status?: number;
  /** Reset the connection instead of answering. */
  drop?: boolean;
  headers?: Record<string, string>;
  /** Default: Graph's error body for the status. */
  body?: unknown;
  /** Only for this method; default any. */
  method?: string;
  /** How many requests fail; default 1. */
  times?: number;
}

/** The fake Graph: routes, failures, records. */
export class FakeGraph {
  /** Graph requests, in order. */
  readonly requests: RecordedGraphRequest[] = [];
  private readonly routes: Route[] = [];
  private readonly fixtureRoutes: Route[] = [];
  private readonly failures: Array<{ route: Route; spec: FailureSpec }> = [];
  /** False: nothing is recorded (bench runs of 100,000 users keep memory flat). */
  recording = true;
  /** Counts of what was served, kept even when not recording. */
  readonly served = { requests: 0, batches: 0, batchedRequests: 0, throttledInBatch: 0 };
  private batchThrottle?: BatchThrottle;
  private batchSeen = 0;
  private readonly throttledUrls = new Set<string>();

  /** Throttling mode for `$batch` (undefined turns it off), like Graph's per-request 429s. */
  throttleBatches(throttle: BatchThrottle | undefined): void {
    this.batchThrottle = throttle;
    this.batchSeen = 0;
    this.throttledUrls.clear();
  }

  /** @internal 429 for this request inside a batch? */
  throttleInBatch(url: string): BatchThrottle | undefined {
    const throttle = this.batchThrottle;
    if (!throttle || this.throttledUrls.has(url)) return undefined;
    if (++this.batchSeen % throttle.every !== 0) return undefined;
    this.throttledUrls.add(url);
    this.served.throttledInBatch += 1;
    return throttle;
  }

  /**
   * Programs a route (latest wins over earlier ones and over the tenant fixture). `path` is
   * relative to the version and may hold `{name}` segments: '/users/{id}/drive'. `handler` is a
   * function, or any other value to answer as JSON with 200. Returns a function removing it.
   */
  on(
    method: string,
    path: string,
    handler: GraphHandler | object | string | number | boolean | null,
    options: { tenant?: string; times?: number } = {},
  ): () => void {
    const fn: GraphHandler =
      typeof handler === 'function' ? (handler as GraphHandler) : () => reply(200, handler);
    const route: Route = {
      method: method.toUpperCase(),
      ...compile(path),
      handler: fn,
      tenantId: options.tenant?.toLowerCase(),
      times: options.times,
    };
    this.routes.unshift(route);
    return () => {
      const i = this.routes.indexOf(route);
      if (i !== -1) this.routes.splice(i, 1);
    };
  }

  /** The next request(s) to `path` (pattern as in `on`) fail with the given status. */
  failNext(path: string, spec: FailureSpec): void {
    const route: Route = {
      method: (spec.method ?? '*').toUpperCase(),
      ...compile(path),
      handler: () => undefined,
      times: spec.times ?? 1,
    };
    this.failures.push({ route, spec });
  }

  /** Requests whose path (without version and query) is `path`. */
  requestsTo(path: string, method?: string): RecordedGraphRequest[] {
    const { pattern } = compile(path);
    return this.requests.filter(
      (r) => pattern.test(r.graphPath) && (!method || r.method === method.toUpperCase()),
    );
  }

  /** Forgets programmed routes, pending failures and records (tenants stay). */
  reset(): void {
    this.routes.length = 0;
    this.failures.length = 0;
    this.requests.length = 0;
    this.throttleBatches(undefined);
    Object.assign(this.served, { requests: 0, batches: 0, batchedRequests: 0, throttledInBatch: 0 });
  }

  /** @internal fixture routes, served after programmed ones. */
  fixture(method: string, path: string, permissions: string[], handler: GraphHandler): void {
    this.fixtureRoutes.push({ method, ...compile(path), handler, permissions });
  }

  /** @internal the answer of a pending `failNext` for this request, if any (used up). */
  failureFor(req: FakeGraphRequest): GraphReply | undefined {
    const failure = this.failures.find(
      (f) =>
        (f.route.method === '*' || f.route.method === req.method) &&
        (!f.route.tenantId || f.route.tenantId === req.tenant.id) &&
        f.route.pattern.test(req.path),
    );
    if (!failure) return undefined;
    if (--(failure.route.times as number) <= 0) this.failures.splice(this.failures.indexOf(failure), 1);
    const { status = 500, headers, body, drop } = failure.spec;
    if (drop) return { drop: true };
    return body === undefined
      ? graphError(status, undefined, undefined, headers)
      : reply(status, body, headers);
  }

  /** @internal */
  async handle(req: FakeGraphRequest): Promise<GraphReply> {
    const matches = (r: Route) =>
      (r.method === '*' || r.method === req.method) &&
      (!r.tenantId || r.tenantId === req.tenant.id) &&
      r.pattern.test(req.path);

    const failure = this.failureFor(req);
    if (failure) return failure;

    for (const route of [...this.routes, ...this.fixtureRoutes]) {
      if (!matches(route)) continue;
      const values = route.pattern.exec(req.path)?.slice(1) ?? [];
      req.params = Object.fromEntries(route.names.map((n, i) => [n, values[i]]));
      if (route.permissions && !route.permissions.some((p) => req.tenant.appPermissions.has(p))) {
        return graphError(
          403,
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        );
      }
      const answer = await route.handler(req);
      if (answer === undefined) continue;
      if (route.times !== undefined && --route.times <= 0) {
        const i = this.routes.indexOf(route);
        if (i !== -1) this.routes.splice(i, 1);
      }
      return answer;
    }
    return graphError(
      400,
      'BadRequest',
      `Resource not found for the segment '${req.path.split('/')[1] ?? ''}' (fake Microsoft Graph has no route for ${req.method} ${req.path}; program one with graph.on).`,
    );
  }
}
