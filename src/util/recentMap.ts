import { tidyWhileHolding, type Later } from './later';

/**
 * A Map of what was used recently: an entry read or written in the last `keepMs` stays, one left
 * unused for between `keepMs` and twice that is forgotten, and at most `maxSize` are kept (the
 * least recently used go first). For caches of things the store can give again (a conversation
 * reference already written, a person's Teams id from their stored 1:1 chat): they then shrink
 * as activity moves on, instead of filling up with every conversation of the last hours.
 *
 * Two generations instead of a time per entry: entries used in the current period, and those
 * used in the one before it only. The periods turn as the map is used and, given `later`, on a
 * timer while the map holds anything, so that when traffic stops the map empties within two to
 * three periods instead of keeping its last entries until the next turn (no timer while empty).
 */
export class RecentMap<K, V> {
  private current = new Map<K, V>();
  private previous = new Map<K, V>();
  private periodStart: number;
  /** Turns the periods on a timer while the map holds anything (see {@link tidyWhileHolding}). */
  private readonly turnLater: () => void;

  constructor(
    readonly keepMs: number,
    readonly maxSize: number,
    private readonly now: () => number,
    later?: Later,
  ) {
    if (!(keepMs > 0)) throw new RangeError('keepMs must be positive');
    if (!Number.isInteger(maxSize) || maxSize < 1) throw new RangeError('maxSize must be a positive integer');
    this.periodStart = now();
    this.turnLater = tidyWhileHolding(
      later,
      keepMs,
      () => this.size > 0,
      () => this.turn(),
    );
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  /** The value, now used in the current period. */
  get(key: K): V | undefined {
    this.turn();
    if (this.current.has(key)) {
      const value = this.current.get(key) as V;
      // Last in the insertion order, so that the size bound drops the least recently used.
      this.current.delete(key);
      this.current.set(key, value);
      return value;
    }
    if (!this.previous.has(key)) return undefined;
    const value = this.previous.get(key) as V;
    this.previous.delete(key);
    this.keep(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.turn();
    this.previous.delete(key);
    this.current.delete(key);
    this.keep(key, value);
    return this;
  }

  delete(key: K): boolean {
    const inPrevious = this.previous.delete(key);
    return this.current.delete(key) || inPrevious;
  }

  private keep(key: K, value: V): void {
    this.current.set(key, value);
    while (this.size > this.maxSize) {
      const older = this.previous.size > 0 ? this.previous : this.current;
      older.delete(older.keys().next().value as K);
    }
    this.turnLater();
  }

  /** Starts a new period once `keepMs` has passed; after two, nothing is left of the old ones. */
  private turn(): void {
    const now = this.now();
    const elapsed = now - this.periodStart;
    if (elapsed < this.keepMs) return;
    this.previous = elapsed < 2 * this.keepMs ? this.current : new Map();
    this.current = new Map();
    this.periodStart = now;
  }
}
