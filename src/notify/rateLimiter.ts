/** Teams' limits for a bot's proactive messages, kept before sending instead of learnt from 429s. */
import { tidyWhileHolding, type Later } from '../util/later';

/** One sliding window: at most `max` sends per `windowMs`. */
export interface WindowLimit {
  max: number;
  windowMs: number;
}

/** Per conversation, as Teams documents them: 7 a second, 60 per 30 seconds, 1,800 an hour. */
export const TEAMS_CONVERSATION_LIMITS: readonly WindowLimit[] = [
  { max: 7, windowMs: 1_000 },
  { max: 60, windowMs: 30_000 },
  { max: 1_800, windowMs: 3_600_000 },
];

/** Time and waiting, injectable so tests and benchmarks control them. */
export interface Timing {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTiming: Timing = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How long until one more event fits in the windows, given past event times (oldest first). */
function waitFor(events: number[], limits: readonly WindowLimit[], now: number): number {
  let wait = 0;
  for (const limit of limits) {
    const inWindow = events.filter((t) => t > now - limit.windowMs);
    if (inWindow.length >= limit.max) {
      const oldest = inWindow[inWindow.length - limit.max];
      wait = Math.max(wait, oldest + limit.windowMs - now);
    }
  }
  return wait;
}

/** Conversations tracked before idle ones are swept. */
const SWEEP_AT = 1_000;

/**
 * How much of its lateness a send that woke late may make up on the next one, as a share of the
 * spacing. Timers fire late (a millisecond's granularity, and a busy event loop), and spacing
 * each send from the moment it actually went out would lose that time on every send; keeping
 * the schedule instead makes it up, but never by more than a quarter of a spacing, so no two sends
 * come closer than three quarters of one and any second still holds no more sends than the
 * spacing allows, with room left for a send that reaches Teams a little later than it left.
 */
const CATCH_UP = 0.25;

/**
 * How much longer than a second the global window is: a send reaches Teams a little after it
 * left (its body still to write, the network, the far end's own queue), so sends that left more
 * than a second apart can arrive less than one apart, and a second at Teams would then hold one
 * more than the limit. Counting each second as 1,050 ms at departure keeps that second within the
 * limit while arrival times wander up to 50 ms; on the even schedule (one send per 35 ms at 95% of
 * 30/s) it costs nothing, as 30 spacings already take longer than that.
 */
const ARRIVAL_MARGIN_MS = 50;

/**
 * Sliding-window limiter: a per-conversation set of windows plus one global window of
 * `globalPerSecond`. `acquire` resolves when a send may go out, and books it.
 */
export class RateLimiter {
  /**
   * Send times per conversation, oldest first: a number for a conversation's only send (most
   * conversations: one notice, one reply), a list otherwise, never longer than the largest window
   * limit (only the latest that many sends can hold one back).
   */
  private readonly perConversation = new Map<string, number | number[]>();
  private readonly global: number[] = [];
  private readonly globalLimits: WindowLimit[];
  /** Serialises bookings so concurrent senders cannot both take the last slot. */
  private queue: Promise<void> = Promise.resolve();
  private readonly longestWindow: number;
  private readonly globalWindow: number;
  private readonly mostKept: number;
  private sweepAt = SWEEP_AT;
  /** With a spacing: when the next send is due on the even schedule. */
  private nextSlot = -Infinity;
  /** Sweeps a longest window after the last sweep while any conversation is tracked. */
  private readonly sweepLater: () => void;

  /**
   * `globalSpacingMs`, when given, also spaces sends evenly on a schedule of one per that many
   * milliseconds, rather than in bursts of `globalPerSecond` at the start of each window.
   * `later`, when given, also sweeps on a timer while any conversation is tracked, so that once
   * sends stop the windows are let go when they can no longer hold one back (an hour later).
   */
  constructor(
    globalPerSecond: number,
    private readonly timing: Timing = realTiming,
    private readonly conversationLimits: readonly WindowLimit[] = TEAMS_CONVERSATION_LIMITS,
    private readonly globalSpacingMs: number = 0,
    later?: Later,
  ) {
    // A fractional rate (0.5/s) becomes one send per 2 s.
    this.globalLimits =
      globalPerSecond >= 1
        ? [{ max: Math.floor(globalPerSecond), windowMs: 1_000 + ARRIVAL_MARGIN_MS }]
        : [{ max: 1, windowMs: Math.ceil(1_000 / globalPerSecond) }];
    this.globalWindow = this.globalLimits[0].windowMs;
    this.longestWindow = Math.max(...conversationLimits.map((l) => l.windowMs), this.globalWindow);
    this.mostKept = Math.max(1, ...conversationLimits.map((l) => l.max));
    this.sweepLater = tidyWhileHolding(
      later,
      this.longestWindow,
      () => this.perConversation.size > 0,
      () => this.sweep(this.timing.now()),
    );
  }

  /**
   * Resolves when a send may go out, and books it. The conversation's own windows are waited out
   * before joining the queue, so that one conversation at its limit (a busy chat past 1,800
   * messages in the hour) does not hold back the sends queued behind it for other conversations.
   */
  async acquire(conversationId: string): Promise<void> {
    for (;;) {
      const own = waitFor(this.eventsOf(conversationId), this.conversationLimits, this.timing.now());
      if (own > 0) {
        await this.timing.sleep(own);
        continue;
      }
      const turn = this.queue.then(() => this.book(conversationId));
      this.queue = turn.then(
        () => undefined,
        () => undefined,
      );
      if (await turn) return;
    }
  }

  /**
   * Books a send that goes out now whatever the windows say (a reply to a person, which is not
   * made to wait behind notices), so that the sends that do wait leave room for it.
   */
  record(conversationId: string): void {
    this.take(conversationId, this.timing.now(), false);
  }

  /**
   * Books a send once the global window and the schedule allow it; false when a send booked
   * meanwhile closed the conversation's own windows (the sender then waits outside the queue).
   */
  private async book(conversationId: string): Promise<boolean> {
    for (let waited = false; ; waited = true) {
      const now = this.timing.now();
      if (waitFor(this.eventsOf(conversationId), this.conversationLimits, now) > 0) return false;
      this.prune(this.global, now, this.globalWindow);
      const wait = Math.max(waitFor(this.global, this.globalLimits, now), this.nextSlot - now);
      if (wait <= 0) {
        this.take(conversationId, now, waited);
        return true;
      }
      await this.timing.sleep(wait);
    }
  }

  /** The conversation's send times inside the longest window, oldest first. */
  private eventsOf(conversationId: string): number[] {
    const kept = this.perConversation.get(conversationId);
    if (kept === undefined) return [];
    const events = typeof kept === 'number' ? [kept] : kept;
    this.prune(events, this.timing.now(), this.longestWindow);
    return events;
  }

  /**
   * Books a send at `now` in its conversation, the global window and the schedule. A send that
   * waited for its slot keeps the schedule (up to {@link CATCH_UP} of a spacing late); one that
   * did not wait starts it afresh, after its own slot and any slot already taken.
   */
  private take(conversationId: string, now: number, waited: boolean): void {
    const events = this.eventsOf(conversationId);
    this.prune(events, now, this.longestWindow);
    this.prune(this.global, now, this.globalWindow);
    events.push(now);
    if (events.length > this.mostKept) events.splice(0, events.length - this.mostKept);
    this.global.push(now);
    this.perConversation.set(conversationId, events.length === 1 ? events[0] : events);
    if (this.globalSpacingMs > 0) {
      const from = waited ? now - this.globalSpacingMs * CATCH_UP : now;
      this.nextSlot = Math.max(this.nextSlot, from) + this.globalSpacingMs;
    }
    if (this.perConversation.size > this.sweepAt) this.sweep(now);
    this.sweepLater();
  }

  /** Conversations with sends inside the longest window (the others are forgotten). */
  get trackedConversations(): number {
    return this.perConversation.size;
  }

  /**
   * Forgets conversations with no send inside the longest window: they cannot hold a send back.
   * Run when the map doubles, so it stays bounded by the conversations of the last hour.
   */
  private sweep(now: number): void {
    const cutoff = now - this.longestWindow;
    for (const [id, kept] of this.perConversation) {
      const last = typeof kept === 'number' ? kept : kept[kept.length - 1];
      if (last === undefined || last <= cutoff) this.perConversation.delete(id);
    }
    this.sweepAt = Math.max(SWEEP_AT, this.perConversation.size * 2);
  }

  /** Drops the events older than `windowMs` (the global list keeps one window, not an hour). */
  private prune(events: number[], now: number, windowMs: number): void {
    const cutoff = now - windowMs;
    let drop = 0;
    while (drop < events.length && events[drop] <= cutoff) drop++;
    if (drop > 0) events.splice(0, drop);
  }
}
