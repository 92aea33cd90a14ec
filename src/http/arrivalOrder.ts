/** Runs `run` on a later turn of the event loop; production passes setImmediate. */
export type Defer = (run: () => void) => void;

/** A queued job and the one queued after it. */
interface Waiting {
  start: () => void;
  next?: Waiting;
}

/**
 * Starts jobs in the order they were queued, one per turn of the event loop, so that requests
 * read in between queue behind those read before them.
 *
 * Why: Node reads every socket that is ready in one pass of its poll phase, and a turn answered
 * in its invoke response (a card refresh, a wizard step) runs to its end inside that read. In
 * level-triggered mode Linux's epoll puts the sockets it just returned back at the head of its
 * ready list, so at the next poll those that asked again meanwhile come before sockets whose
 * requests arrived earlier but after the poll began: under load such a request waits for one
 * whole pass and then behind the sockets of that pass, about twice as long as the others. At 50
 * conversations of digest refreshes, 1% of the turns started after 38–82 turns whose requests
 * had arrived later than theirs. Started from this queue, with a poll between two starts, a turn
 * waits only for the turns that arrived before it (test/integration/http/arrivalOrder.test.ts).
 */
export class ArrivalOrder {
  private first?: Waiting;
  private last?: Waiting;
  private count = 0;
  private scheduled = false;

  constructor(private readonly defer: Defer) {}

  /** Calls `start` after every job queued before it has started; settles as its promise does. */
  run<T>(start: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const job: Waiting = {
        start: () => {
          try {
            start().then(resolve, reject);
          } catch (err) {
            reject(err);
          }
        },
      };
      if (this.last) this.last.next = job;
      else this.first = job;
      this.last = job;
      this.count++;
      this.schedule();
    });
  }

  /** Jobs queued and not yet started (for tests and diagnostics). */
  get queued(): number {
    return this.count;
  }

  private schedule(): void {
    if (this.scheduled || !this.first) return;
    this.scheduled = true;
    this.defer(this.startOne);
  }

  private readonly startOne = (): void => {
    this.scheduled = false;
    const job = this.first;
    if (!job) return;
    this.first = job.next;
    if (!this.first) this.last = undefined;
    this.count--;
    // The next start is deferred before this one runs, so whatever this job queues waits its turn.
    this.schedule();
    job.start();
  };
}
