import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { SpanKind } from '@opentelemetry/api';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';
import * as zlib from 'node:zlib';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/logger';
import type { Telemetry } from '../telemetry/telemetry';

/**
 * The last link of the Graph client's middleware chain, in place of its HTTPMessageHandler.
 *
 * The library's handler calls the global fetch. On Node 20 and 22 that is undici, which ignores the
 * `agent` a caller puts in `fetchOptions` (it only honours an undici `dispatcher`, and undici is
 * not a package we can import), so an extra trusted CA could not reach it. This transport sends
 * the request with node:https through our own agent (keep-alive, and the extra CA when given),
 * and hands the chain back a standard fetch `Response`.
 *
 * Redirects are not followed (Graph's JSON APIs do not redirect; a 3xx surfaces as an error).
 */
export class HttpsTransport implements Middleware {
  constructor(
    private readonly agent: https.Agent,
    private readonly timeoutMs: number,
    private readonly telemetry: Telemetry,
    private readonly maxResponseBytes = 64 * 1024 * 1024,
  ) {}

  /** One span and one count per request sent, retries included (each is a request Graph saw). */
  async execute(context: Context): Promise<void> {
    const url = new URL(typeof context.request === 'string' ? context.request : context.request.url);
    const init = context.options ?? {};
    const method = (init.method ?? 'GET').toUpperCase();
    const route = graphRoute(url.pathname);
    await this.telemetry.inSpan(
      `graph ${method} ${route}`,
      {
        kind: SpanKind.CLIENT,
        attributes: { 'http.request.method': method, 'server.address': url.hostname, 'url.template': route },
      },
      async (span) => {
        try {
          context.response = await this.send(url, init);
        } catch (err) {
          this.telemetry.recordGraphCall(method, 'error');
          throw err;
        }
        span.setAttribute('http.response.status_code', context.response.status);
        this.telemetry.recordGraphCall(method, context.response.status);
      },
    );
  }

  private send(url: URL, init: RequestInit): Promise<Response> {
    if (url.protocol !== 'https:') {
      return Promise.reject(transportError(`refused to send a request over ${url.protocol}`));
    }
    const headers: Record<string, string> = {};
    new Headers(init.headers as HeadersInit | undefined).forEach((value, key) => (headers[key] = value));
    headers['accept-encoding'] ??= 'gzip, deflate, br';
    const body = toBuffer(init.body);
    if (body) headers['content-length'] = String(body.length);

    return new Promise<Response>((resolve, reject) => {
      const req = https.request(
        url,
        { method: (init.method ?? 'GET').toUpperCase(), headers, agent: this.agent },
        (res) => {
          readBody(res, this.maxResponseBytes).then(
            (buffer) => resolve(toResponse(res, buffer)),
            (err: Error) => reject(transportError(`reading the answer from ${url.host}: ${err.message}`)),
          );
        },
      );
      req.setTimeout(this.timeoutMs, () =>
        req.destroy(new Error(`no answer from ${url.host} within ${Math.round(this.timeoutMs / 1000)} s`)),
      );
      req.on('error', (err: NodeJS.ErrnoException) =>
        reject(transportError(`${err.code ? `${err.code}: ` : ''}${err.message}`)),
      );
      req.end(body);
    });
  }
}

/** Path segments kept as they are in a span name: words such as `users` or `v1.0`, never ids. */
const ROUTE_WORD = /^(?:[A-Za-z][A-Za-z.]*|v\d+\.\d+)$/;

/**
 * The request path with every segment that is not a plain word (ids, UPNs, `(appId='…')` keys)
 * replaced by `{id}`: span names stay few, and carry no user names.
 */
export function graphRoute(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => (segment === '' || ROUTE_WORD.test(segment) ? segment : '{id}'))
    .join('/');
}

/** The `name` the Graph client copies into its GraphError `code` for a request that got no answer. */
export const TRANSPORT_ERROR = 'GraphTransportError';

function transportError(message: string): Error {
  const err = new Error(message);
  err.name = TRANSPORT_ERROR;
  return err;
}

function toBuffer(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw transportError('unsupported request body type (send JSON, a string or bytes)');
}

function readBody(res: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  const decoder =
    encoding === 'gzip'
      ? zlib.createGunzip()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : encoding === 'br'
          ? zlib.createBrotliDecompress()
          : undefined;
  const stream: NodeJS.ReadableStream = decoder ? res.pipe(decoder) : res;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        res.destroy();
        reject(new Error(`answer larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
    if (decoder) res.on('error', reject);
  });
}

function toResponse(res: IncomingMessage, body: Buffer): Response {
  const headers = new Headers();
  for (const [key, value] of Object.entries(res.headers)) {
    // The body is handed over decoded: drop what described the encoded form.
    if (value === undefined || key === 'content-encoding' || key === 'content-length') continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(key, v);
  }
  const status = res.statusCode ?? 500;
  const empty = status === 204 || status === 205 || status === 304 || body.length === 0;
  return new Response(empty ? null : new Uint8Array(body), {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}

export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** A Retry-After longer than this is not waited for: the caller gets GRAPH_THROTTLED at once. */
  maxDelayMs: number;
  /** Backoff base when the answer has no Retry-After (doubles each retry). */
  baseDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  clock: Clock;
  logger: Logger;
}

/** Statuses Graph asks clients to retry: throttled, unavailable, gateway timeout. */
export const RETRY_STATUSES = new Set([429, 503, 504]);

/**
 * Milliseconds to wait from a Retry-After header: delta-seconds or an HTTP date (RFC 9110
 * 10.2.3), or undefined when there is none or it cannot be read.
 */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now.getTime());
}

/**
 * Retries 429 answers, and 503 and 504 answers to GETs and $batch, waiting what Retry-After says (or an exponential backoff
 * when it says nothing), and requests that got no answer at all when they are GETs. Replaces the
 * library's RetryHandler so that the wait goes through an injectable `sleep`, is logged, and is
 * bounded: a Retry-After beyond `maxDelayMs` is returned to the caller rather than waited for in
 * the middle of a chat turn. After the last retry the last answer goes up the chain unchanged.
 */
export class RetryMiddleware implements Middleware {
  private next?: Middleware;

  constructor(private readonly options: RetryOptions) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    if (!this.next) throw new Error('RetryMiddleware is the last middleware of the chain');
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    // A 503/504 to a write may come after Graph made the change: only reads are sent again (GETs,
    // $batch, whose requests are all GETs here, and the POST actions that only read). 429 means
    // Graph did nothing: any call is.
    const idempotent = method === 'GET' || isReadOnlyPost(url);
    for (let attempt = 0; ; attempt++) {
      let failure: unknown;
      context.response = undefined;
      try {
        await this.next.execute(context);
      } catch (err) {
        failure = err;
      }
      const response = responseOf(context);
      const status = response?.status;
      const retryable =
        failure !== undefined
          ? method === 'GET'
          : status !== undefined && RETRY_STATUSES.has(status) && (status === 429 || idempotent);
      if (!retryable || attempt >= this.options.maxRetries) {
        if (failure !== undefined) throw failure;
        return;
      }
      const backoff = Math.min(this.options.baseDelayMs * 2 ** attempt, this.options.maxDelayMs);
      const retryAfter =
        failure === undefined
          ? parseRetryAfter(response?.headers.get('retry-after'), this.options.clock.now())
          : undefined;
      if (retryAfter !== undefined && retryAfter > this.options.maxDelayMs) {
        this.options.logger.warn('graph retry-after too long to wait', {
          method,
          url: redactQuery(url),
          status,
          retryAfterMs: retryAfter,
        });
        return;
      }
      const delay = retryAfter ?? backoff;
      this.options.logger.warn('graph call will be retried', {
        method,
        url: redactQuery(url),
        status,
        error: failure instanceof Error ? failure.message : undefined,
        attempt: attempt + 1,
        delayMs: delay,
        retryAfter: retryAfter !== undefined,
      });
      await this.options.sleep(delay);
      setHeader(context, 'Retry-Attempt', String(attempt + 1));
    }
  }
}

/**
 * POSTs that change nothing: /$batch (the gateway sends only GETs in a batch) and Graph's
 * directory-object actions that only read (checkMemberGroups for the admin group, getByIds for
 * reviewer names, and their kin).
 */
const READ_ONLY_POST =
  /\/(\$batch|checkMemberGroups|checkMemberObjects|getMemberGroups|getMemberObjects|getByIds)$/;

function isReadOnlyPost(url: string): boolean {
  try {
    return READ_ONLY_POST.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** Read through a function: TypeScript would keep `context.response` narrowed to undefined. */
function responseOf(context: Context): Response | undefined {
  return context.response;
}

function setHeader(context: Context, key: string, value: string): void {
  const options = (context.options ??= {});
  if (options.headers instanceof Headers) options.headers.set(key, value);
  else if (Array.isArray(options.headers))
    options.headers = [...options.headers.filter(([k]) => k !== key), [key, value]];
  else options.headers = { ...(options.headers as Record<string, string> | undefined), [key]: value };
}

/** The URL without its query (filters may hold user ids or names). */
export function redactQuery(url: string): string {
  const i = url.indexOf('?');
  return i === -1 ? url : url.slice(0, i);
}
