/**
 * Group commit: calls that arrive while a write is in flight wait and go together in the next
 * one, so concurrent callers share writes without waiting for a batch to fill. A lone caller is
 * written at once. `write` answers one result per item, in order (or nothing, for void writes).
 */
export class GroupCommit<I, O = void> {
  private pending: { items: I[]; resolve: (out: O[]) => void; reject: (err: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly write: (items: I[]) => Promise<O[] | void>) {}

  add(items: I[]): Promise<O[]> {
    return new Promise<O[]>((resolve, reject) => {
      this.pending.push({ items, resolve, reject });
      if (!this.writing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.writing = true;
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
