import { SpanKind } from '@opentelemetry/api';
import type { Activity, ConversationReference } from 'botbuilder';
import { Telemetry } from '../telemetry/telemetry';
import { httpStatusOf } from '../util/httpStatus';
import type { Logger } from '../util/logger';
import { PreparedSends } from './preparedSends';
import { RateLimiter, realTiming, type Timing } from './rateLimiter';

/** Sends one activity into a stored conversation; implemented over the bot adapter. */
export interface ProactiveTransport {
  /**
   * True when `send` makes exactly one request and awaits `depart` right before it leaves the
   * process (and retries nothing itself), so the rate limiter books the attempt where Teams
   * counts it. Otherwise the sender books it before calling `send`.
   */
  readonly booksDeparture?: boolean;
  send(
    reference: Partial<ConversationReference>,
    activity: Partial<Activity>,
    depart?: () => Promise<void>,
  ): Promise<void>;
}

/**
 * What to send: the activity, or a function that builds it once the send is admitted (see
 * {@link SenderOptions.prepared}), so a card is not built long before its slot.
 */
export type OutgoingActivity = Partial<Activity> | (() => Partial<Activity> | Promise<Partial<Activity>>);

/**
 * Sends prepared and waiting for their slot at once, by default: enough that the limiter always
 * has one ready even on a busy machine (a digest takes a few milliseconds of CPU to build and
 * serialize; eight slots at 30/s are 280 ms), and few enough that a fan-out no longer holds a
 * built card in each of its workers.
 */
export const PREPARED_SENDS = 8;

/** How a proactive send ended. */
export interface SendOutcome {
  status: 'sent' | 'gone' | 'failed';
  attempts: number;
  /** Attempts after a 429 or a 5xx/network error. */
  retried: number;
  error?: string;
}

export interface SenderOptions {
  /** Attempts for 5xx and network errors before giving up (429s wait and do not count). */
  maxAttempts?: number;
  /** Most 429 answers tolerated for one message before it is left for the next scan. */
  maxThrottled?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  timing?: Timing;
  random?: () => number;
  /** Spans of sends and counts of their outcomes; the registered (by default no-op) providers otherwise. */
  telemetry?: Telemetry;
  /** Most sends prepared and not yet departed (default {@link PREPARED_SENDS}); the rest wait first. */
  prepared?: number;
}

/** Retry-After as milliseconds: a number of seconds or an HTTP date. */
export function retryAfterMs(err: unknown, now: number = Date.now()): number | undefined {
  const e = err as { response?: { headers?: { get?(name: string): string | undefined | null } } };
  const raw = e?.response?.headers?.get?.('retry-after');
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw.trim())) return Math.round(Number(raw) * 1000);
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Proactive sends within Teams' limits: the rate limiter books each attempt (where it leaves the
 * process, when the transport can say so); a 429 waits
 * Retry-After; 5xx and network errors back off exponentially with jitter up to a bound;
 * 403 and 404 mean the bot was removed or the conversation is gone; any other 4xx but 408 fails
 * at once.
 */
export class ProactiveSender {
  private readonly timing: Timing;
  private readonly random: () => number;
  private readonly telemetry: Telemetry;
  private readonly preparedSends: PreparedSends;

  constructor(
    private readonly transport: ProactiveTransport,
    private readonly limiter: RateLimiter,
    private readonly logger: Logger,
    private readonly options: SenderOptions = {},
  ) {
    this.timing = options.timing ?? realTiming;
    this.random = options.random ?? Math.random;
    this.telemetry = options.telemetry ?? Telemetry.fromGlobals();
    this.preparedSends = new PreparedSends(options.prepared ?? PREPARED_SENDS);
  }

  /**
   * One message, inside a `notice send` span that records how it ended and after how many
   * attempts. It waits its turn among the prepared sends before the activity is built (when given
   * as a function) and leaves their number once its first attempt is booked.
   */
  send(reference: Partial<ConversationReference>, activity: OutgoingActivity): Promise<SendOutcome> {
    return this.telemetry.inSpan('notice send', { kind: SpanKind.CLIENT }, async (span) => {
      const release = await this.preparedSends.admit();
      let outcome: SendOutcome;
      try {
        // Built on a timer turn of its own: sends admitted together would otherwise build their
        // cards in one run of promise jobs, and Node writes a booked request to its socket only once
        // that run is over (the write waits on process.nextTick), so a send booked first could
        // leave after several cards' work and reach Teams in the next second's count.
        await this.timing.sleep(0);
        const built = typeof activity === 'function' ? await activity() : activity;
        // Handed on a timer turn after the booking, once this request has been written: building
        // the next card in between would hold back a departure the limiter has already booked.
        outcome = await this.attempt(reference, built, () => void this.timing.sleep(0).then(release));
      } finally {
        release();
      }
      span.setAttributes({
        'concierge.send.outcome': outcome.status,
        'concierge.send.attempts': outcome.attempts,
      });
      this.telemetry.recordNotice(outcome.status);
      return outcome;
    });
  }

  /**
   * Runs one send that is not a plain post (a new 1:1 chat, a card update, work continued in a
   * conversation) inside the same rate limits, keyed by `conversationKey`; once, without retries,
   * since such a send may not be safe to repeat. Errors are the caller's.
   */
  async paced<T>(conversationKey: string, send: () => Promise<T>): Promise<T> {
    await this.limiter.acquire(conversationKey);
    return send();
  }

  private async attempt(
    reference: Partial<ConversationReference>,
    activity: Partial<Activity>,
    booked: () => void,
  ): Promise<SendOutcome> {
    const conversationId = reference.conversation?.id ?? 'unknown';
    const maxAttempts = this.options.maxAttempts ?? 5;
    const maxThrottled = this.options.maxThrottled ?? 20;
    const base = this.options.baseBackoffMs ?? 500;
    const cap = this.options.maxBackoffMs ?? 30_000;
    let attempts = 0;
    let failures = 0;
    let throttled = 0;
    const depart = async () => {
      await this.limiter.acquire(conversationId);
      booked();
    };
    for (;;) {
      if (!this.transport.booksDeparture) await depart();
      attempts += 1;
      try {
        await this.transport.send(reference, activity, depart);
        return { status: 'sent', attempts, retried: attempts - 1 };
      } catch (err) {
        const status = httpStatusOf(err);
        if (status === 403 || status === 404) {
          return { status: 'gone', attempts, retried: attempts - 1, error: `HTTP ${status}` };
        }
        if (status === 429) {
          this.telemetry.recordNotice('throttled');
          throttled += 1;
          if (throttled > maxThrottled) {
            return { status: 'failed', attempts, retried: attempts - 1, error: 'throttled too often' };
          }
          const wait = retryAfterMs(err) ?? base * 2 ** Math.min(throttled, 6);
          this.logger.debug('send throttled; waiting Retry-After', { conversationId, waitMs: wait });
          await this.timing.sleep(Math.min(wait, cap * 4));
          continue;
        }
        if (status !== undefined && status >= 400 && status < 500 && status !== 408) {
          // The request itself was refused (bad activity, auth, too large): the same request
          // would be refused again, so it is not retried here and someone has to look.
          this.logger.error('send refused by the Bot Connector; not retried', {
            conversationId,
            status,
            error: (err as Error)?.message ?? String(err),
          });
          return { status: 'failed', attempts, retried: attempts - 1, error: `HTTP ${status}` };
        }
        failures += 1;
        if (failures >= maxAttempts) {
          return {
            status: 'failed',
            attempts,
            retried: attempts - 1,
            error: (err as Error)?.message ?? String(err),
          };
        }
        // Full jitter keeps many senders from retrying in lockstep.
        const backoff = Math.min(cap, base * 2 ** (failures - 1)) * (0.5 + this.random() / 2);
        this.logger.debug('send failed; backing off', {
          conversationId,
          status,
          backoffMs: Math.round(backoff),
        });
        await this.timing.sleep(backoff);
      }
    }
  }
}
