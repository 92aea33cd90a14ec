/** Runs `run` on a later turn of the event loop; production passes setImmediate. */
export type Defer = (run: () => void) => void;

/** Started jobs kept before the queue's array is cut down to those still waiting. */
const COMPACT_AFTER = 1024;

/**
 * Starts jobs in the order they were queued, one per turn of the event loop, so that the
 * requests read in between queue behind those read before them.
 *
 * Why: Node reads every socket that is ready in one pass of its poll phase and a turn answered
 * in its invoke response (a card refresh, a wizard step) runs to its end inside that read. Linux
 * hands a level-triggered epoll the sockets it served last time before sockets that became
 * ready since, so under load a request that arrives just after a pass began waits for that pass
 * and then for the sockets of that pass that asked again after it: about twice as long as the
 * rest. Measured at 50 conversations of digest refreshes, 1% of the turns were started after
 * 38–115 turns whose requests arrived later than theirs. Started from this queue instead, with
 * a poll between two starts, a turn waits only for the turns that arrived before it.
 */
export class ArrivalOrder {
  private readonly waiting: ((() => void) | undefined)[] = [];
  private next = 0;
  private scheduled = false;

  constructor(private readonly defer: Defer) {}

  /** Calls `start` after every job queued before it has started; settles as its promise does. */
  run<T>(start: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        try {
          start().then(resolve, reject);
        } catch (err) {
          reject(err);
        }
      });
      this.schedule();
    });
  }

  /** Jobs queued and not yet started (for tests and diagnostics). */
  get queued(): number {
    return this.waiting.length - this.next;
  }

  private schedule(): void {
    if (this.scheduled || this.queued === 0) return;
    this.scheduled = true;
    this.defer(this.startOne);
  }

  private readonly startOne = (): void => {
    this.scheduled = false;
    const job = this.waiting[this.next];
    this.waiting[this.next++] = undefined;
    // Drop what has started; under steady load the queue may never run empty.
    if (this.next === this.waiting.length || this.next >= COMPACT_AFTER) {
      this.waiting.splice(0, this.next);
      this.next = 0;
    }
    // The next start is deferred before this one runs, so whatever this job queues waits its turn.
    this.schedule();
    job?.();
  };
}
