/**
 * Work handed from one producer to several workers with at most `capacity` items waiting: the
 * producer's `put` waits for room, so what it reads ahead stays bounded however fast it reads.
 * A worker that fails calls `fail`: the producer's pending and later `put`s reject with that
 * error and the other workers get no more items.
 */
export class Handoff<T> {
  private readonly waiting: T[] = [];
  private readonly takers: ((item: T | undefined) => void)[] = [];
  private room?: { resolve: () => void; reject: (err: unknown) => void };
  private closed = false;
  private failure?: { error: unknown };

  constructor(private readonly capacity: number) {}

  /** Gives an item to a waiting worker, or queues it; resolves once the queue has room again. */
  async put(item: T): Promise<void> {
    if (this.failure) throw this.failure.error;
    if (this.closed) throw new Error('handoff closed');
    const taker = this.takers.shift();
    if (taker) {
      taker(item);
      return;
    }
    this.waiting.push(item);
    while (this.waiting.length > this.capacity) {
      await new Promise<void>((resolve, reject) => {
        this.room = { resolve, reject };
      });
    }
  }

  /** The next item; undefined once the producer closed and nothing is left, or after a failure. */
  take(): Promise<T | undefined> {
    if (this.failure) return Promise.resolve(undefined);
    if (this.waiting.length > 0) {
      const item = this.waiting.shift();
      this.wakeProducer();
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => this.takers.push(resolve));
  }

  /** The producer has nothing more: workers finish what is queued, then get undefined. */
  close(): void {
    this.closed = true;
    for (const taker of this.takers.splice(0)) taker(undefined);
  }

  /** A worker failed: the producer stops at its next put and the other workers stop taking. */
  fail(error: unknown): void {
    this.failure ??= { error };
    this.waiting.length = 0;
    const room = this.room;
    this.room = undefined;
    room?.reject(error);
    for (const taker of this.takers.splice(0)) taker(undefined);
  }

  private wakeProducer(): void {
    if (this.waiting.length > this.capacity) return;
    const room = this.room;
    this.room = undefined;
    room?.resolve();
  }
}
