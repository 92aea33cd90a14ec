/**
 * A first-come, first-served bound on proactive sends that are prepared (card built, request
 * serialized, connector client made) and waiting for their slot in the rate limiter. Everything
 * a send holds while it waits outlives V8's young generation and is copied into the old one,
 * where it stays as garbage until the next full collection: during a fan-out at NOTIFY_RPS with
 * every worker holding a built digest, that garbage set the bot's peak memory. Senders beyond
 * the bound wait before preparing anything, holding only what they were given.
 */
export class PreparedSends {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
    this.free = limit;
  }

  /** Sends admitted and not yet released. */
  get admitted(): number {
    return this.limit - this.free;
  }

  /** Resolves when this send may be prepared; the release it returns is safe to call more than once. */
  async admit(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The place passes straight to the next in line, so a newcomer cannot overtake it.
      if (next) next();
      else this.free += 1;
    };
  }
}
