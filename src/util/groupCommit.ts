/**
 * Group commit: calls that arrive while a write is in flight wait and go together in the next
 * one, so concurrent callers share writes without waiting for a batch to fill. The first write
 * after an idle spell starts on the next turn of the event loop (setImmediate), not at once, so
 * that callers woken in the same turn share it: the scanner's digests come in waves (a slice of
 * targets, a burst of sends answered together), and writing the first of a wave alone made a
 * third of a 1%-due scan's ledger writes on Azure one-notice writes (about 100 of 270). `write`
 * answers one result per item, in order (or nothing, for void writes).
 */
export class GroupCommit<I, O = void> {
  private pending: { items: I[]; resolve: (out: O[]) => void; reject: (err: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly write: (items: I[]) => Promise<O[] | void>) {}

  add(items: I[]): Promise<O[]> {
    return new Promise<O[]>((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      if (this.writing) return;
      this.writing = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const out = (await this.write(batch.flatMap((b) => b.items))) ?? [];
        let at = 0;
        for (const b of batch) {
          b.resolve(out.slice(at, at + b.items.length));
          at += b.items.length;
        }
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.writing = false;
  }
}
