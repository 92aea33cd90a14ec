import type Database from 'better-sqlite3';
import type { Storage, StoreItems } from 'botbuilder';
import { randomUUID } from 'node:crypto';

/**
 * botbuilder Storage over SQLite, with the same eTag rules as botbuilder's MemoryStorage:
 * a write carrying an eTag other than "*" must match the stored one.
 */
export class SqliteStateStorage implements Storage {
  constructor(private readonly db: Database.Database) {}

  async read(keys: string[]): Promise<StoreItems> {
    const select = this.db.prepare('SELECT etag, doc FROM bot_state WHERE key = ?');
    const items: StoreItems = {};
    for (const key of keys) {
      const row = select.get(key) as { etag: string; doc: string } | undefined;
      if (row) items[key] = { ...JSON.parse(row.doc), eTag: row.etag };
    }
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    const select = this.db.prepare('SELECT etag FROM bot_state WHERE key = ?');
    const upsert = this.db.prepare(
      'INSERT INTO bot_state (key, etag, doc) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET etag = excluded.etag, doc = excluded.doc',
    );
    const writeAll = this.db.transaction((entries: [string, Record<string, unknown>][]) => {
      for (const [key, item] of entries) {
        const { eTag, ...doc } = item as { eTag?: string };
        if (eTag && eTag !== '*') {
          const current = select.get(key) as { etag: string } | undefined;
          if (!current || current.etag !== eTag) {
            throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
          }
        }
        upsert.run(key, randomUUID(), JSON.stringify(doc));
      }
    });
    writeAll.immediate(Object.entries(changes));
  }

  async delete(keys: string[]): Promise<void> {
    const remove = this.db.prepare('DELETE FROM bot_state WHERE key = ?');
    const removeAll = this.db.transaction((list: string[]) => list.forEach((key) => remove.run(key)));
    removeAll(keys);
  }
}
