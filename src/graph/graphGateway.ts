import type { Client, GraphError as LibraryGraphError, Middleware } from '@microsoft/microsoft-graph-client';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { systemClock, type Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import { AppTokenProvider } from './appTokens';
import { normalizeTenantId } from './authority';
import { GraphError, type GraphErrorDetails } from './errors';
import { HttpsTransport, parseRetryAfter, redactQuery, RetryMiddleware, TRANSPORT_ERROR } from './middleware';
import { Telemetry } from '../telemetry/telemetry';
import { defaultPermissionFor, type GraphPermission } from './graphPermissions';

type GraphClientLibrary = typeof import('@microsoft/microsoft-graph-client');

export interface GraphRequestOptions {
  /**
   * The application permission the call needs, named in the GRAPH_FORBIDDEN message when Graph
   * answers 403. Defaults to what {@link defaultPermissionFor} knows for the endpoint.
   */
  permission?: GraphPermission | string;
  /** Extra request headers, e.g. `ConsistencyLevel: eventual` for advanced directory queries. */
  headers?: Record<string, string>;
  /** API version; v1.0 unless said. */
  version?: 'v1.0' | 'beta';
}

export interface GraphPagingOptions<T> extends GraphRequestOptions {
  /** Stop after this many items (the last page is cut); no further page is requested. */
  maxItems?: number;
  /** Called with each page before the next one is requested. */
  onPage?(items: T[]): Promise<void> | void;
  /** Called when `maxItems` stopped the read while the collection had more items. */
  onTruncated?(): void;
}

/**
 * What `list` returns: the items, and `truncated` true when `maxItems` cut the collection short
 * (the items are then only the first ones: callers must not read an absence into them).
 */
export type GraphList<T> = T[] & { truncated?: boolean };

/** One request of a JSON `$batch`; `url` is relative to the version, e.g. `/users/{id}/drive`. */
export interface GraphBatchRequest {
  id: string;
  method: 'GET';
  url: string;
  headers?: Record<string, string>;
}

/** One answer of a JSON `$batch`, as Graph gave it (its own status: 200, 404, 429, ...). */
export interface GraphBatchResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Graph takes at most this many requests in one `$batch`. */
export const GRAPH_BATCH_MAX = 20;

/** A Graph collection page. */
export interface GraphPage<T> {
  value: T[];
  '@odata.nextLink'?: string;
  '@odata.count'?: number;
}

/**
 * App-only access to Microsoft Graph for the tenant a conversation belongs to. Paths are relative
 * to the API version, e.g. `/subscribedSkus` or `/servicePrincipals?$filter=appId eq '…'` (the
 * query is percent-encoded here; ids in the path must be encoded by the caller). Every failure is
 * a {@link GraphError} whose message is fit for an admin.
 */
export interface GraphGateway {
  /** False when GRAPH_CLIENT_ID / GRAPH_CLIENT_SECRET are missing: every call then fails with GRAPH_NOT_CONFIGURED. */
  readonly configured: boolean;
  /** The settings to set before Graph works (empty when configured). */
  missingSettings(): string[];
  get<T>(tenantId: string, path: string, options?: GraphRequestOptions): Promise<T>;
  /**
   * Streams a collection page by page, following `@odata.nextLink` (on the Graph host only):
   * memory holds one page at a time.
   */
  getAllPages<T>(tenantId: string, path: string, options?: GraphPagingOptions<T>): AsyncIterable<T[]>;
  /**
   * Every item of a collection, up to `maxItems` (default {@link DEFAULT_LIST_MAX_ITEMS}); the
   * result's `truncated` says when there were more.
   */
  list<T>(tenantId: string, path: string, options?: GraphPagingOptions<T>): Promise<GraphList<T>>;
  post<T>(tenantId: string, path: string, body: unknown, options?: GraphRequestOptions): Promise<T>;
  /** DELETE of one object (204 from Graph). */
  delete(tenantId: string, path: string, options?: GraphRequestOptions): Promise<void>;
  /**
   * Sends up to {@link GRAPH_BATCH_MAX} GETs in one `POST /$batch`. Requests answered 429 (or
   * 503/504) inside the batch are sent again, alone in a new batch, after the longest Retry-After
   * they carried; every other answer is returned as is, by request id.
   */
  batch(
    tenantId: string,
    requests: readonly GraphBatchRequest[],
    options?: GraphRequestOptions,
  ): Promise<Map<string, GraphBatchResponse>>;
}

/** `list` stops here unless told otherwise, so that a huge directory cannot fill memory. */
export const DEFAULT_LIST_MAX_ITEMS = 10_000;

export interface GraphGatewayOptions {
  clientId?: string;
  clientSecret?: string;
  /** e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** e.g. https://graph.microsoft.com */
  graphEndpoint: string;
  logger: Logger;
  clock?: Clock;
  /**
   * Extra CA certificate(s) to trust, for the sign-in host and Graph (tests with local HTTPS
   * fakes). Added to Node's bundled root CAs for this gateway's connections only.
   */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Retries of 429, of 503/504 to GETs and $batch, and of unanswered GETs; default 3. */
  maxRetries?: number;
  /** Longest Retry-After waited for; a longer one fails at once with GRAPH_THROTTLED. Default 60 s. */
  maxRetryDelayMs?: number;
  /** Backoff base when Graph sends no Retry-After; default 1 s, doubling. */
  retryBaseDelayMs?: number;
  /** How retries wait; tests can record instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Per-request socket timeout; default 30 s. */
  timeoutMs?: number;
  /** Deadline of one token request to the sign-in service; default 30 s (TOKEN_TIMEOUT_MS). */
  tokenTimeoutMs?: number;
  /** Spans and counts of Graph requests; the registered (by default no-op) providers otherwise. */
  telemetry?: Telemetry;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The settings the gateway needs, for GRAPH_NOT_CONFIGURED and /healthz-style reports. */
function missing(options: Pick<GraphGatewayOptions, 'clientId' | 'clientSecret'>): string[] {
  const names: string[] = [];
  if (!options.clientId) names.push('GRAPH_CLIENT_ID');
  if (!options.clientSecret) names.push('GRAPH_CLIENT_SECRET');
  return names;
}

interface GraphErrorBody {
  error?: {
    code?: string;
    message?: string;
    innerError?: { 'request-id'?: string; 'client-request-id'?: string };
  };
}

/**
 * {@link GraphGateway} over @azure/msal-node (client credentials per tenant, see
 * {@link AppTokenProvider}) and @microsoft/microsoft-graph-client. The client's middleware chain
 * is: AuthenticationHandler (attaches the tenant's token, only to the Graph host) →
 * TelemetryHandler (client-request-id, SdkVersion) → {@link RetryMiddleware} (429, and 503/504
 * to reads, with Retry-After) → {@link HttpsTransport} (node:https, our agent and CA).
 */
export class MsGraphGateway implements GraphGateway {
  readonly configured: boolean;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly agent: https.Agent;
  /** The Graph client library and its client, loaded by the first Graph call (see {@link graphClient}). */
  private client?: Promise<{ library: GraphClientLibrary; client: Client }>;
  /** Ours, after the library's authentication and telemetry handlers; undefined when not configured. */
  private readonly middleware?: Middleware[];
  private readonly customHost: string;
  private readonly tokens?: AppTokenProvider;

  constructor(private readonly options: GraphGatewayOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.configured = missing(options).length === 0;

    let endpoint: URL;
    try {
      endpoint = new URL(options.graphEndpoint);
    } catch {
      throw new GraphError('GRAPH_NOT_CONFIGURED', `GRAPH_ENDPOINT is not a URL: "${options.graphEndpoint}"`);
    }
    if (endpoint.protocol !== 'https:') {
      throw new GraphError(
        'GRAPH_NOT_CONFIGURED',
        `GRAPH_ENDPOINT must be an https:// URL: "${options.graphEndpoint}"`,
      );
    }
    this.origin = endpoint.origin;
    this.basePath = endpoint.pathname.replace(/\/+$/, '');

    const extraCa = options.ca === undefined ? [] : Array.isArray(options.ca) ? options.ca : [options.ca];
    this.agent = new https.Agent({
      keepAlive: true,
      maxSockets: 16,
      ...(extraCa.length ? { ca: [...tls.rootCertificates, ...extraCa] } : {}),
    });

    if (this.configured) {
      this.tokens = new AppTokenProvider({
        clientId: options.clientId as string,
        clientSecret: options.clientSecret as string,
        authorityHost: options.authorityHost,
        graphEndpoint: `${this.origin}${this.basePath}`,
        logger: this.logger,
        clock: this.clock,
        ca: extraCa.length ? extraCa : undefined,
        timeoutMs: options.tokenTimeoutMs,
      });
      const retry = new RetryMiddleware({
        maxRetries: options.maxRetries ?? 3,
        maxDelayMs: options.maxRetryDelayMs ?? 60_000,
        baseDelayMs: options.retryBaseDelayMs ?? 1_000,
        sleep: options.sleep ?? realSleep,
        clock: this.clock,
        logger: this.logger,
      });
      const transport = new HttpsTransport(
        this.agent,
        options.timeoutMs ?? 30_000,
        options.telemetry ?? Telemetry.fromGlobals(),
      );
      this.middleware = [retry, transport];
    }
    this.customHost = endpoint.hostname.toLowerCase();
  }

  /**
   * The Graph client, made on the first call: the library (and MSAL, see AppTokenProvider) is
   * loaded then rather than at start-up, which most turns and many configurations never need.
   */
  private graphClient(): Promise<{ library: GraphClientLibrary; client: Client }> {
    this.client ??= import('@microsoft/microsoft-graph-client').then((library) => {
      const auth = new library.AuthenticationHandler({
        // Every request carries its tenant's token in AuthenticationHandlerOptions; this is a guard.
        getAccessToken: () => Promise.reject(new Error('no tenant token given for this Graph request')),
      });
      const client = library.Client.initWithMiddleware({
        middleware: [auth, new library.TelemetryHandler(), ...this.middleware!],
        baseUrl: `${this.origin}${this.basePath}/`,
        defaultVersion: 'v1.0',
        // Tokens are attached only to these hosts (the library knows the public Graph hosts).
        customHosts: new Set([this.customHost]),
      });
      return { library, client };
    });
    return this.client;
  }

  missingSettings(): string[] {
    return missing(this.options);
  }

  get<T>(tenantId: string, path: string, options: GraphRequestOptions = {}): Promise<T> {
    return this.request<T>('GET', tenantId, path, undefined, options);
  }

  post<T>(tenantId: string, path: string, body: unknown, options: GraphRequestOptions = {}): Promise<T> {
    return this.request<T>('POST', tenantId, path, body, options);
  }

  async delete(tenantId: string, path: string, options: GraphRequestOptions = {}): Promise<void> {
    await this.request<unknown>('DELETE', tenantId, path, undefined, options);
  }

  async batch(
    tenantId: string,
    requests: readonly GraphBatchRequest[],
    options: GraphRequestOptions = {},
  ): Promise<Map<string, GraphBatchResponse>> {
    if (requests.length > GRAPH_BATCH_MAX) {
      throw new GraphError(
        'GRAPH_INVALID_REQUEST',
        `A Microsoft Graph $batch holds at most ${GRAPH_BATCH_MAX} requests (${requests.length} given).`,
        { method: 'POST', path: '/$batch' },
      );
    }
    const answers = new Map<string, GraphBatchResponse>();
    const maxRetries = this.options.maxRetries ?? 3;
    const baseDelayMs = this.options.retryBaseDelayMs ?? 1_000;
    const sleep = this.options.sleep ?? realSleep;
    let pending = [...requests];
    for (let attempt = 0; pending.length > 0; attempt++) {
      let reply: { responses?: GraphBatchResponse[] };
      try {
        reply = await this.request<{ responses?: GraphBatchResponse[] }>(
          'POST',
          tenantId,
          '/$batch',
          { requests: pending },
          options,
        );
      } catch (err) {
        // A batch of GETs is safe to send again when it got no answer at all (a reset keep-alive
        // socket), as a lone GET would be.
        // Not when no token could be had: the token provider has already waited its deadline.
        const unanswered =
          err instanceof GraphError &&
          err.code === 'GRAPH_UNAVAILABLE' &&
          err.status === undefined &&
          !err.notSent;
        if (!unanswered || attempt >= maxRetries) throw err;
        await sleep(baseDelayMs * 2 ** attempt);
        continue;
      }
      const { retry, waitMs } = this.fileBatchAnswers(pending, reply, attempt, answers);
      if (retry.length > 0) {
        this.logger.info('graph batch requests throttled; retrying them', {
          tenantId,
          count: retry.length,
          waitMs,
          attempt: attempt + 1,
        });
        await sleep(waitMs);
      }
      pending = retry;
    }
    return answers;
  }

  /**
   * Files each answer of one $batch attempt in `answers`, except throttled ones still worth
   * waiting for: those are returned to retry, with the longest wait any of them asked for.
   */
  private fileBatchAnswers(
    pending: readonly GraphBatchRequest[],
    reply: { responses?: GraphBatchResponse[] },
    attempt: number,
    answers: Map<string, GraphBatchResponse>,
  ): { retry: GraphBatchRequest[]; waitMs: number } {
    const maxRetries = this.options.maxRetries ?? 3;
    const maxDelayMs = this.options.maxRetryDelayMs ?? 60_000;
    const baseDelayMs = this.options.retryBaseDelayMs ?? 1_000;
    const byId = new Map((reply?.responses ?? []).map((r) => [String(r.id), r]));
    const retry: GraphBatchRequest[] = [];
    let waitMs = 0;
    for (const req of pending) {
      const answer = byId.get(req.id);
      if (!answer) {
        throw new GraphError(
          'GRAPH_ERROR',
          `Microsoft Graph left request ${req.id} of a $batch unanswered.`,
          { method: 'POST', path: '/$batch' },
        );
      }
      const transient = answer.status === 429 || answer.status === 503 || answer.status === 504;
      const asked = parseRetryAfter(headerOf(answer, 'retry-after'), this.clock.now());
      const delay = asked ?? baseDelayMs * 2 ** attempt;
      if (transient && attempt < maxRetries && delay <= maxDelayMs) {
        retry.push(req);
        waitMs = Math.max(waitMs, delay);
      } else {
        answers.set(req.id, answer);
      }
    }
    return { retry, waitMs };
  }

  async *getAllPages<T>(
    tenantId: string,
    path: string,
    options: GraphPagingOptions<T> = {},
  ): AsyncIterable<T[]> {
    const max = options.maxItems ?? Number.POSITIVE_INFINITY;
    let next: string | undefined = path;
    let seen = 0;
    const visited = new Set<string>();
    while (next !== undefined && seen < max) {
      const page: GraphPage<T> = await this.request<GraphPage<T>>('GET', tenantId, next, undefined, options);
      if (!page || !Array.isArray(page.value)) {
        throw new GraphError(
          'GRAPH_ERROR',
          `Microsoft Graph did not answer GET ${describePath(path)} with a collection.`,
          {
            method: 'GET',
            path: describePath(path),
          },
        );
      }
      const cut = seen + page.value.length > max;
      const items = cut ? page.value.slice(0, max - seen) : page.value;
      seen += items.length;
      const link = page['@odata.nextLink'];
      const more = link !== undefined && link !== null;
      if (seen >= max && (cut || more)) options.onTruncated?.();
      if (items.length > 0) {
        await options.onPage?.(items);
        yield items;
      }
      if (!more || seen >= max) break;
      if (typeof link !== 'string' || !this.isGraphUrl(link)) {
        throw new GraphError(
          'GRAPH_INVALID_REQUEST',
          `Refused to follow an @odata.nextLink of GET ${describePath(path)} that leaves the Graph host ${this.origin}.`,
          { method: 'GET', path: describePath(path) },
        );
      }
      if (visited.has(link)) {
        throw new GraphError(
          'GRAPH_ERROR',
          `Microsoft Graph paging of GET ${describePath(path)} loops on the same link.`,
          {
            method: 'GET',
            path: describePath(path),
          },
        );
      }
      visited.add(link);
      next = link;
    }
  }

  async list<T>(tenantId: string, path: string, options: GraphPagingOptions<T> = {}): Promise<GraphList<T>> {
    const all: GraphList<T> = [];
    const maxItems = options.maxItems ?? DEFAULT_LIST_MAX_ITEMS;
    let truncated = false;
    for await (const page of this.getAllPages<T>(tenantId, path, {
      ...options,
      maxItems,
      onTruncated: () => {
        truncated = true;
        options.onTruncated?.();
      },
    })) {
      all.push(...page);
    }
    if (truncated) {
      all.truncated = true;
      this.logger.info('graph list cut at its item limit', { path: describePath(path), maxItems });
    }
    return all;
  }

  /** Closes idle keep-alive connections (tests, shutdown). */
  close(): void {
    this.agent.destroy();
  }

  /** True for an absolute URL on the Graph endpoint (same scheme, host and port, under its path). */
  private isGraphUrl(link: string): boolean {
    try {
      const url = new URL(link);
      return (
        url.origin === this.origin && (this.basePath === '' || url.pathname.startsWith(`${this.basePath}/`))
      );
    } catch {
      return false;
    }
  }

  /** The absolute URL for a path (relative to the version) or a Graph URL (a nextLink). */
  private resolveUrl(method: string, path: string, version: string): string {
    const invalid = (why: string) =>
      new GraphError(
        'GRAPH_INVALID_REQUEST',
        `Not a Microsoft Graph path (${why}): ${method} ${describePath(path)}`,
        {
          method,
          path: describePath(path),
        },
      );
    if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
      if (!this.isGraphUrl(path)) {
        throw new GraphError(
          'GRAPH_INVALID_REQUEST',
          `Refused to send the Graph token to ${safeOrigin(path)}: only ${this.origin} is Microsoft Graph.`,
          { method },
        );
      }
      return new URL(path).href;
    }
    const q = path.indexOf('?');
    const pathname = q === -1 ? path : path.slice(0, q);
    if (!pathname.startsWith('/') || pathname.startsWith('//')) throw invalid('it must start with one /');
    if (/[\s\\#]|%2e|(^|\/)\.\.?(\/|$)/i.test(pathname)) throw invalid('it holds spaces, dot segments or #');
    // WHATWG serialization percent-encodes spaces and quotes of the query and leaves %XX alone.
    const url = new URL(
      `${this.origin}${this.basePath}/${version}${pathname}${q === -1 ? '' : path.slice(q)}`,
    );
    return url.href;
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    tenantId: string,
    path: string,
    body: unknown,
    options: GraphRequestOptions,
  ): Promise<T> {
    if (!this.configured || !this.middleware || !this.tokens) {
      throw new GraphError(
        'GRAPH_NOT_CONFIGURED',
        `Microsoft Graph is not configured: set ${this.missingSettings().join(' and ')} (or MicrosoftAppId and MicrosoftAppPassword) to the app registration used for Graph.`,
      );
    }
    const tenant = normalizeTenantId(tenantId);
    const url = this.resolveUrl(method, path, options.version ?? 'v1.0');
    const shown = describePath(url, this.basePath);
    const permission = options.permission ?? defaultPermissionFor(method, shown);
    const { library, client } = await this.graphClient();
    for (let attempt = 0; ; attempt++) {
      let token: string;
      try {
        token = await this.tokens.getToken(tenant);
      } catch (err) {
        // Nothing reached Graph: a write is known not to have been made, and a batch may be resent.
        throw err instanceof GraphError ? err.beforeSending() : err;
      }
      const started = Date.now();
      let response: Response;
      try {
        const request = client
          .api(url)
          .responseType(library.ResponseType.RAW)
          .middlewareOptions([
            new library.AuthenticationHandlerOptions({ getAccessToken: () => Promise.resolve(token) }),
          ]);
        if (options.headers) request.headers(options.headers);
        response = (
          method === 'GET'
            ? await request.get()
            : method === 'DELETE'
              ? await request.delete()
              : await request.post(body)
        ) as Response;
      } catch (err) {
        throw this.transportFailure(err, method, shown);
      }
      this.logger.debug('graph call', {
        tenantId: tenant,
        method,
        url: redactQuery(url),
        status: response.status,
        ms: Date.now() - started,
      });
      if (response.ok) return (await this.readAnswer(response, method, shown, tenant)) as T;
      if (response.status === 401 && attempt === 0) {
        // The token may have been revoked or have expired early: one more try with a new one.
        this.tokens.invalidate(tenant);
        await response.arrayBuffer().catch(() => undefined);
        continue;
      }
      throw await this.responseFailure(response, method, shown, tenant, permission);
    }
  }

  /**
   * The JSON of a 2xx answer (undefined when empty). Graph's JSON APIs answer JSON: anything else
   * (an HTML page from a proxy or captive portal, say) is GRAPH_ERROR, never data to read.
   */
  private async readAnswer(
    response: Response,
    method: string,
    shown: string,
    tenant: string,
  ): Promise<unknown> {
    const answer = await readJson(response);
    if (typeof answer !== 'string') return answer;
    const type = response.headers.get('content-type') ?? 'no content type';
    this.logger.warn('graph answer is not JSON', {
      tenantId: tenant,
      method,
      path: shown,
      status: response.status,
      contentType: type,
    });
    throw new GraphError(
      'GRAPH_ERROR',
      `Microsoft Graph answered ${method} ${shown} with ${response.status} but not with JSON (${type.split(';')[0]}): something between the bot and Graph (a proxy?) may have answered instead.`,
      { status: response.status, method, path: shown },
    );
  }

  private transportFailure(err: unknown, method: string, shown: string): GraphError {
    if (err instanceof GraphError) return err;
    const lib = err as LibraryGraphError & { code?: string | null };
    const detail = err instanceof Error ? err.message : String(err);
    this.logger.warn('graph call got no answer', {
      method,
      path: shown,
      error: detail,
      code: lib?.code ?? undefined,
    });
    if (lib?.code === TRANSPORT_ERROR || lib?.statusCode === -1) {
      return new GraphError(
        'GRAPH_UNAVAILABLE',
        `Could not reach Microsoft Graph at ${this.origin} (${method} ${shown}): ${detail}`,
        { method, path: shown },
      );
    }
    return new GraphError('GRAPH_ERROR', `Microsoft Graph call ${method} ${shown} failed: ${detail}`, {
      method,
      path: shown,
    });
  }

  private async responseFailure(
    response: Response,
    method: string,
    shown: string,
    tenant: string,
    permission: string | undefined,
  ): Promise<GraphError> {
    const status = response.status;
    const parsed = (await readJson(response).catch(() => undefined)) as GraphErrorBody | undefined;
    const graphCode = parsed?.error?.code;
    const graphMessage = parsed?.error?.message;
    const requestId =
      parsed?.error?.innerError?.['request-id'] ?? response.headers.get('request-id') ?? undefined;
    const details = { status, graphCode, requestId, method, path: shown };
    const said = graphCode ? ` (${graphCode}${graphMessage ? `: ${graphMessage}` : ''})` : '';
    const error = refusalError(status, {
      method,
      shown,
      tenant,
      permission,
      said,
      details,
      retryAfterMs: () => parseRetryAfter(response.headers.get('retry-after'), this.clock.now()),
    });
    this.logger.warn('graph call refused', { tenantId: tenant, ...error.toLogFields() });
    return error;
  }
}

/** What a refused Graph call is reported with. */
interface Refusal {
  method: string;
  /** The path as logs may show it (query redacted). */
  shown: string;
  tenant: string;
  permission: string | undefined;
  /** Graph's own error code and message, as " (code: message)", or ''. */
  said: string;
  details: GraphErrorDetails;
  /** Read only for the statuses that may carry a Retry-After. */
  retryAfterMs: () => number | undefined;
}

/** The GraphError for an HTTP status Graph refused a call with. */
function refusalError(status: number, refusal: Refusal): GraphError {
  const { method, shown, tenant, permission, said, details } = refusal;
  if (status === 403) {
    return permission
      ? new GraphError(
          'GRAPH_FORBIDDEN',
          `Microsoft Graph refused ${method} ${shown}: the app needs the application permission ${permission} with admin consent.`,
          { ...details, permission },
        )
      : new GraphError(
          'GRAPH_FORBIDDEN',
          `Microsoft Graph refused ${method} ${shown}${said}: the app lacks an application permission (or its admin consent) for this call.`,
          details,
        );
  }
  if (status === 404) {
    return new GraphError(
      'GRAPH_NOT_FOUND',
      `Microsoft Graph found nothing at ${method} ${shown}${said}.`,
      details,
    );
  }
  if (status === 401) {
    return new GraphError(
      'GRAPH_AUTH_FAILED',
      `Microsoft Graph refused the app's token for tenant ${tenant} on ${method} ${shown}${said}. Check GRAPH_ENDPOINT and CLOUD match AZURE_AUTHORITY_HOST.`,
      details,
    );
  }
  if (status === 429) {
    const retryAfterMs = refusal.retryAfterMs();
    return new GraphError(
      'GRAPH_THROTTLED',
      `Microsoft Graph is throttling the app (${method} ${shown})${retryAfterMs !== undefined ? `; it asks to wait ${Math.ceil(retryAfterMs / 1000)} s` : ''}. Try again later.`,
      { ...details, retryAfterMs },
    );
  }
  if (status >= 500) {
    return new GraphError(
      'GRAPH_UNAVAILABLE',
      `Microsoft Graph is unavailable (${status} on ${method} ${shown}). Try again later.`,
      { ...details, retryAfterMs: refusal.retryAfterMs() },
    );
  }
  return new GraphError(
    'GRAPH_ERROR',
    `Microsoft Graph refused ${method} ${shown} with ${status}${said}.`,
    details,
  );
}

function headerOf(answer: GraphBatchResponse, name: string): string | undefined {
  const headers = answer.headers ?? {};
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : String(headers[key]);
}

async function readJson(response: Response): Promise<unknown> {
  if (response.status === 204) return undefined;
  const text = await response.text();
  if (text.trim() === '') return undefined;
  const type = response.headers.get('content-type') ?? '';
  if (!/json/i.test(type) && !/^\s*[[{]/.test(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new GraphError(
      'GRAPH_ERROR',
      `Microsoft Graph answered with JSON that could not be read (${response.status}).`,
      {
        status: response.status,
      },
    );
  }
}

/** /subscribedSkus from https://graph.microsoft.com/v1.0/subscribedSkus?$top=5 or /subscribedSkus?$top=5. */
function describePath(pathOrUrl: string, basePath = ''): string {
  let pathname = redactQuery(pathOrUrl);
  if (/^https?:\/\//i.test(pathname)) {
    try {
      pathname = decodeURI(new URL(pathname).pathname);
    } catch {
      return '(unreadable URL)';
    }
    if (basePath && pathname.startsWith(basePath)) pathname = pathname.slice(basePath.length);
    pathname = pathname.replace(/^\/(v1\.0|beta)(?=\/|$)/, '');
  }
  return pathname || '/';
}

function safeOrigin(link: string): string {
  try {
    return new URL(link).origin;
  } catch {
    return 'an unreadable URL';
  }
}
