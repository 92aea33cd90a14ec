import type Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import { randomUUID } from 'node:crypto';

type Entry = [string, Record<string, unknown>];

/** One `write` call waiting for the commit of its group. */
interface QueuedWrite {
  entries: Entry[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * botbuilder Storage over SQLite, with the same eTag rules as botbuilder's MemoryStorage:
 * a write carrying an eTag other than "*" must match the stored one.
 *
 * Writes are committed in groups: every `write` made while the event loop handles one batch of
 * requests goes into one transaction, committed when that batch is done (setImmediate), so
 * turns that end together share one commit and its fsync (a few hundred microseconds on a disk,
 * during which nothing else in the process runs) instead of paying one each. Each call still
 * succeeds or fails alone (its own savepoint), and resolves only once its commit is on disk.
 */
export class SqliteStateStorage implements Storage {
  /** Made once: better-sqlite3 builds a wrapper per `transaction()` call, and every turn reads and most write. */
  private readonly readAll: (keys: string[]) => StoreItems;
  /** One call's items, together: nested in the group's transaction, a savepoint. */
  private readonly writeCall: Database.Transaction<(entries: Entry[]) => void>;
  private readonly writeGroup: Database.Transaction<(group: QueuedWrite[]) => unknown[]>;
  private queued: QueuedWrite[] = [];
  /** Keys written by queued calls: a read or delete of one waits for their commit, so that it sees them. */
  private readonly queuedKeys = new Set<string>();
  /** Settles when the queued calls' commit has been tried. */
  private committed: Promise<void> = Promise.resolve();

  constructor(private readonly db: Database.Database) {
    // One read transaction for the keys of a turn (its conversation and user state): the WAL's
    // read lock is taken once rather than once per key.
    this.readAll = db.transaction((keys: string[]) => {
      const select = this.db.prepare('SELECT etag, doc FROM bot_state WHERE key = ?');
      const items: StoreItems = {};
      for (const key of keys) {
        const row = select.get(key) as { etag: string; doc: string } | undefined;
        if (row) items[key] = { ...JSON.parse(row.doc), eTag: row.etag };
      }
      return items;
    });
    this.writeCall = db.transaction((entries: Entry[]) => {
      for (const [key, item] of entries) this.writeOne(key, item);
    });
    this.writeGroup = db.transaction((group: QueuedWrite[]) =>
      group.map((call) => {
        try {
          this.writeCall(call.entries);
          return undefined;
        } catch (err) {
          return err;
        }
      }),
    );
  }

  async read(keys: string[]): Promise<StoreItems> {
    await this.afterQueuedWritesOf(keys);
    return this.readAll(keys);
  }

  write(changes: StoreItems): Promise<void> {
    const entries = Object.entries(changes) as Entry[];
    return new Promise<void>((resolve, reject) => {
      if (this.queued.length === 0) {
        this.committed = new Promise<void>((settled) =>
          setImmediate(() => {
            this.commitQueued();
            settled();
          }),
        );
      }
      this.queued.push({ entries, resolve, reject });
      for (const [key] of entries) this.queuedKeys.add(key);
    });
  }

  async delete(keys: string[]): Promise<void> {
    await this.afterQueuedWritesOf(keys);
    const remove = this.db.prepare('DELETE FROM bot_state WHERE key = ?');
    const removeAll = this.db.transaction((list: string[]) => list.forEach((key) => remove.run(key)));
    removeAll(keys);
  }

  /** Settles once every write made so far has been committed or refused (before the database closes). */
  async settled(): Promise<void> {
    while (this.queued.length > 0) await this.committed;
  }

  /** Waits while any of `keys` has a write queued, so that a turn reads what the one before it wrote. */
  private async afterQueuedWritesOf(keys: string[]): Promise<void> {
    while (keys.some((key) => this.queuedKeys.has(key))) await this.committed;
  }

  /** Commits every queued call in one transaction (IMMEDIATE: the write lock first, as before). */
  private commitQueued(): void {
    const group = this.queued;
    this.queued = [];
    this.queuedKeys.clear();
    let outcomes: unknown[];
    try {
      outcomes = this.writeGroup.immediate(group);
    } catch (err) {
      // The commit itself failed: none of the group is written.
      for (const call of group) call.reject(err);
      return;
    }
    group.forEach((call, i) => (outcomes[i] === undefined ? call.resolve() : call.reject(outcomes[i])));
  }

  /** An eTag other than "*" updates only the row that still has it (no row, or another eTag, is a conflict). */
  private writeOne(key: string, item: Record<string, unknown>): void {
    const { eTag, ...doc } = item as { eTag?: string };
    if (eTag && eTag !== '*') {
      const updated = this.db
        .prepare('UPDATE bot_state SET etag = ?, doc = ? WHERE key = ? AND etag = ?')
        .run(randomUUID(), JSON.stringify(doc), key, eTag);
      if (updated.changes !== 1) throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
      return;
    }
    this.db
      .prepare(
        'INSERT INTO bot_state (key, etag, doc) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, doc = excluded.doc',
      )
      .run(key, randomUUID(), JSON.stringify(doc));
  }
}
