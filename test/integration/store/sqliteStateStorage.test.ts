import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../../src/store/sqlite';
import { DATABASE_FILE } from '../../../src/store/sqlite/database';
import type { Store } from '../../../src/connectors/ports';

/** Frames in the WAL since `resetWal`: each commit appends the pages it changed. */
function walFrames(reader: Database.Database): number {
  const [result] = reader.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
  return result.log;
}

function resetWal(reader: Database.Database): void {
  reader.pragma('wal_checkpoint(TRUNCATE)');
}

describe('sqlite turn state: writes of turns that end together', () => {
  let dir: string;
  let store: Store;
  let reader: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'state-group-'));
    store = createSqliteStore(dir);
    reader = new Database(path.join(dir, DATABASE_FILE));
  });

  afterEach(async () => {
    reader.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const keys = Array.from({ length: 10 }, (_, i) => `msteams/bot/conversations/c${i}`);

  it('share one commit: ten writes made together add the changed pages to the WAL once', async () => {
    resetWal(reader);
    for (const key of keys) await store.state.write({ [key]: { n: 1 } });
    const oneByOne = walFrames(reader);

    resetWal(reader);
    await Promise.all(keys.map((key) => store.state.write({ [key]: { n: 2 } })));
    const together = walFrames(reader);

    expect(oneByOne).toBeGreaterThanOrEqual(keys.length);
    expect(together).toBeLessThan(oneByOne / 3);
    const stored = reader.prepare('SELECT doc FROM bot_state ORDER BY key').all() as { doc: string }[];
    expect(stored.map((row) => JSON.parse(row.doc).n)).toEqual(keys.map(() => 2));
  });

  it('each succeed or fail alone: a stale eTag in one leaves the others written', async () => {
    await store.state.write({ a: { n: 1 }, b: { n: 1 } });
    const read = await store.state.read(['a', 'b']);
    await store.state.write({ a: { ...read.a, n: 2 } });

    const [stale, current, fresh] = await Promise.allSettled([
      store.state.write({ a: { ...read.a, n: 3 } }),
      store.state.write({ b: { ...read.b, n: 3 } }),
      store.state.write({ c: { n: 3 } }),
    ]);

    expect(stale.status).toBe('rejected');
    expect(String((stale as PromiseRejectedResult).reason)).toMatch(/eTag conflict/);
    expect([current.status, fresh.status]).toEqual(['fulfilled', 'fulfilled']);
    const after = await store.state.read(['a', 'b', 'c']);
    expect([after.a.n, after.b.n, after.c.n]).toEqual([2, 3, 3]);
  });

  it('are on disk when they resolve: another connection reads them', async () => {
    await Promise.all(keys.map((key) => store.state.write({ [key]: { n: 7 } })));
    const count = reader.prepare('SELECT COUNT(*) AS n FROM bot_state').get() as { n: number };
    expect(count.n).toBe(keys.length);
  });

  it('are seen by a read of the same key made before they resolve (the next turn of that conversation)', async () => {
    const [key] = keys;
    await store.state.write({ [key]: { n: 1 } });
    const first = (await store.state.read([key]))[key];
    const writing = store.state.write({ [key]: { ...first, n: 2 } });
    const next = (await store.state.read([key]))[key];
    await writing;
    expect(next.n).toBe(2);
    expect(next.eTag).not.toBe(first.eTag);
    // The next turn's write carries the eTag it read, so it is not a conflict.
    await expect(store.state.write({ [key]: { ...next, n: 3 } })).resolves.toBeUndefined();
  });

  it('are committed before the store closes', async () => {
    const writing = store.state.write({ [keys[0]]: { n: 5 } });
    await store.close();
    await expect(writing).resolves.toBeUndefined();
    const row = reader.prepare('SELECT doc FROM bot_state WHERE key = ?').get(keys[0]) as { doc: string };
    expect(JSON.parse(row.doc).n).toBe(5);
  });
});
