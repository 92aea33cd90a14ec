/** Teams' limits for a bot's proactive messages, kept before sending instead of learnt from 429s. */

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
 * Sliding-window limiter: a per-conversation set of windows plus one global window of
 * `globalPerSecond`. `acquire` resolves when a send may go out, and books it.
 */
export class RateLimiter {
  private readonly perConversation = new Map<string, number[]>();
  private readonly global: number[] = [];
  private readonly globalLimits: WindowLimit[];
  /** Serialises bookings so concurrent senders cannot both take the last slot. */
  private queue: Promise<void> = Promise.resolve();
  private readonly longestWindow: number;
  private sweepAt = SWEEP_AT;

  /**
   * `globalSpacingMs`, when given, also keeps that long between any two sends, so they go out
   * evenly rather than in bursts of `globalPerSecond` at the start of each window.
   */
  constructor(
    globalPerSecond: number,
    private readonly timing: Timing = realTiming,
    private readonly conversationLimits: readonly WindowLimit[] = TEAMS_CONVERSATION_LIMITS,
    globalSpacingMs?: number,
  ) {
    // A fractional rate (0.5/s) becomes one send per 2 s.
    this.globalLimits =
      globalPerSecond >= 1
        ? [{ max: Math.floor(globalPerSecond), windowMs: 1_000 }]
        : [{ max: 1, windowMs: Math.ceil(1_000 / globalPerSecond) }];
    if (globalSpacingMs && globalSpacingMs > 0) this.globalLimits.push({ max: 1, windowMs: globalSpacingMs });
    this.longestWindow = Math.max(
      ...conversationLimits.map((l) => l.windowMs),
      ...this.globalLimits.map((l) => l.windowMs),
    );
  }

  acquire(conversationId: string): Promise<void> {
    const turn = this.queue.then(() => this.book(conversationId));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * Books a send that goes out now whatever the windows say (a reply to a person, which is not
   * made to wait behind notices), so that the sends that do wait leave room for it.
   */
  record(conversationId: string): void {
    const now = this.timing.now();
    const events = this.perConversation.get(conversationId) ?? [];
    this.prune(events, now);
    this.prune(this.global, now);
    events.push(now);
    this.global.push(now);
    this.perConversation.set(conversationId, events);
    if (this.perConversation.size > this.sweepAt) this.sweep(now);
  }

  private async book(conversationId: string): Promise<void> {
    for (;;) {
      const now = this.timing.now();
      const events = this.perConversation.get(conversationId) ?? [];
      this.prune(events, now);
      this.prune(this.global, now);
      const wait = Math.max(
        waitFor(events, this.conversationLimits, now),
        waitFor(this.global, this.globalLimits, now),
      );
      if (wait <= 0) {
        events.push(now);
        this.global.push(now);
        this.perConversation.set(conversationId, events);
        if (this.perConversation.size > this.sweepAt) this.sweep(now);
        return;
      }
      await this.timing.sleep(wait);
    }
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
    for (const [id, events] of this.perConversation) {
      if (events.length === 0 || events[events.length - 1] <= cutoff) this.perConversation.delete(id);
    }
    this.sweepAt = Math.max(SWEEP_AT, this.perConversation.size * 2);
  }

  private prune(events: number[], now: number): void {
    const cutoff = now - this.longestWindow;
    let drop = 0;
    while (drop < events.length && events[drop] <= cutoff) drop++;
    if (drop > 0) events.splice(0, drop);
  }
}
