import type {
  PipelinePolicy,
  PipelineRequest,
  PipelineResponse,
  SendRequest,
} from '@azure/core-rest-pipeline';
import type { Middleware, TurnContext } from 'botbuilder';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RateLimiter, Timing } from './rateLimiter';
import type { Logger } from '../util/logger';

/**
 * Bot Connector requests booked in the notices' rate limiter where they leave the process, and
 * retried through it rather than by the connector client's own retry policy (which resends a 429
 * outside any limiter, so Teams would see more than NOTIFY_RPS in a second).
 */

/** core-rest-pipeline's retry policy (429 after Retry-After, 5xx and network errors). */
const CLIENT_RETRY = 'defaultRetryPolicy';
const PACED_REPLIES = 'conciergePacedReplies';
const DEPARTURE = 'conciergeDeparture';

interface Pipeline {
  addPolicy(policy: PipelinePolicy, options?: { afterPhase?: 'Sign' | 'Retry' }): void;
  removePolicy(options: { name: string }): PipelinePolicy[];
}

/** The HTTP pipeline of the turn's connector client (botbuilder's compat client over core-client). */
function pipelineOf(context: TurnContext): Pipeline | undefined {
  const key = context.adapter?.ConnectorClientKey;
  if (!key) return undefined;
  const client = context.turnState?.get(key) as { client?: { pipeline?: Pipeline } } | undefined;
  return client?.client?.pipeline;
}

/**
 * Sends a serialized (string) body as the UTF-8 bytes it goes out as, with its Content-Length.
 * Without the length the HTTP client learns it by encoding the whole body into a Buffer it then
 * drops; sent as a string, the body is joined to the request head into one more string, a
 * further copy of every outbound card on the JavaScript heap. The bytes live outside it.
 */
function withContentLength(request: PipelineRequest): PipelineRequest {
  if (typeof request.body === 'string' && !request.headers.has('Content-Length')) {
    const bytes = Buffer.from(request.body, 'utf8');
    request.body = bytes;
    request.headers.set('Content-Length', bytes.length);
  }
  return request;
}

/**
 * The departure hook of the proactive send whose request is being made, by async context: a
 * connector client (and its pipeline) is shared by every send, so each request finds its own
 * send's hook here instead of a policy being added to a pipeline for it.
 */
const departures = new AsyncLocalStorage<() => Promise<void>>();

/** Pipelines that already carry the departure policy. */
const departing = new WeakSet<Pipeline>();

/**
 * Awaits the hook of the send it runs in, if any, right before the request leaves, and sends it
 * once: the sender books the attempt there and retries it itself. Without a hook the request
 * goes on unchanged.
 */
const departurePolicy: PipelinePolicy = {
  name: DEPARTURE,
  async sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse> {
    const depart = departures.getStore();
    if (!depart) return next(request);
    await depart();
    return next(withContentLength(request));
  },
};

/**
 * Runs a proactive send with `depart` awaited before each request it makes leaves the process,
 * the client's retries off (the sender paces and retries it). The pipeline gets the departure
 * policy once, so a shared client serves every send. When the turn has no connector client to
 * hook, `depart` is awaited before `send` starts.
 */
export async function withDepartures<T>(
  context: TurnContext,
  depart: () => Promise<void>,
  send: () => Promise<T>,
): Promise<T> {
  const pipeline = pipelineOf(context);
  if (!pipeline) {
    await depart();
    return send();
  }
  if (!departing.has(pipeline)) {
    pipeline.removePolicy({ name: CLIENT_RETRY });
    pipeline.addPolicy(departurePolicy, { afterPhase: 'Sign' });
    departing.add(pipeline);
  }
  return departures.run(depart, send);
}

export interface ReplyPacingOptions {
  timing: Timing;
  /** Most 429 answers tolerated for one request (as for notices). */
  maxThrottled?: number;
  /** Attempts for 5xx and network errors. */
  maxAttempts?: number;
  baseBackoffMs?: number;
  random?: () => number;
}

/** Retry-After of a response as milliseconds: seconds or an HTTP date. */
function retryAfter(response: PipelineResponse, now: number): number | undefined {
  const raw = response.headers.get('retry-after');
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The conversation a Bot Connector request addresses (`…/v3/conversations/{id}/…`), if any. */
export function conversationOfRequest(url: string): string | undefined {
  const encoded = /\/v3\/conversations\/([^/?#]+)/.exec(url)?.[1];
  if (!encoded) return undefined;
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

/** The policy that books, paces and retries each request; it holds nothing of a turn. */
function pacingPolicy(limiter: RateLimiter, logger: Logger, options: ReplyPacingOptions): PipelinePolicy {
  const maxThrottled = options.maxThrottled ?? 20;
  const maxAttempts = options.maxAttempts ?? 4;
  const base = options.baseBackoffMs ?? 500;
  const random = options.random ?? Math.random;
  return {
    name: PACED_REPLIES,
    async sendRequest(request, send) {
      // A proactive send's request is booked and retried by its sender (the departure policy).
      if (departures.getStore()) return send(request);
      const conversationId = conversationOfRequest(request.url) ?? 'unknown';
      limiter.record(conversationId);
      withContentLength(request);
      let throttled = 0;
      let failures = 0;
      for (;;) {
        let response: PipelineResponse | undefined;
        let failure: unknown;
        try {
          response = await send(request);
        } catch (err) {
          failure = err;
        }
        const status = response?.status ?? 0;
        let wait: number;
        if (response && status === 429) {
          if (++throttled > maxThrottled) return response;
          wait = retryAfter(response, Date.now()) ?? base * 2 ** Math.min(throttled, 6);
        } else if (failure || status >= 500) {
          if (++failures >= maxAttempts) {
            if (response) return response;
            throw failure;
          }
          wait = base * 2 ** (failures - 1) * (0.5 + random() / 2);
        } else {
          return response!;
        }
        logger.debug('reply throttled or failed; retrying through the rate limiter', {
          conversationId,
          status,
          waitMs: Math.round(wait),
        });
        await options.timing.sleep(wait);
        await limiter.acquire(conversationId);
      }
    },
  };
}

/**
 * Middleware: every Bot Connector request of a turn (replies, card updates) is booked in the
 * limiter as it leaves, by the conversation it addresses, without waiting (a person is not made
 * to wait behind notices); a 429 waits Retry-After and a 5xx or network error backs off, and the
 * retry then waits its turn in the limiter like a notice. Incoming turns share their connector
 * client with proactive sends (src/bot/turnClients.ts), so the policy goes into a pipeline once;
 * it leaves the requests of a proactive send to {@link withDepartures}.
 */
export function pacedReplies(limiter: RateLimiter, logger: Logger, options: ReplyPacingOptions): Middleware {
  const policy = pacingPolicy(limiter, logger, options);
  const paced = new WeakSet<Pipeline>();
  return {
    async onTurn(context, next) {
      const pipeline = pipelineOf(context);
      if (pipeline && !paced.has(pipeline)) {
        pipeline.removePolicy({ name: CLIENT_RETRY });
        pipeline.addPolicy(policy, { afterPhase: 'Sign' });
        paced.add(pipeline);
      }
      await next();
    },
  };
}
