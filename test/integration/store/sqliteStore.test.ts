import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../../src/store/sqlite';
import { SqliteConnectorStore } from '../../../src/store/sqlite/connectorStore';
import {
  DATABASE_FILE,
  NewerDatabaseError,
  PAGE_CACHE_KIB,
  openDatabase,
  reusePreparedStatements,
} from '../../../src/store/sqlite/database';
import { connectorRecord } from '../../support/connectorFixtures';
import { describeStoreContract } from './storeContract';

describeStoreContract('sqlite', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
  const store = createSqliteStore(dir);
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store', () => {
  it('has no scan leadership: the notice ledger makes overlapping scans safe', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
    const store = createSqliteStore(dir);
    try {
      expect(store.scanLeadership).toBeUndefined();
    } finally {
      void store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database written by a newer release, and leaves it as it was', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
    try {
      openDatabase(dir).close();
      const raw = new Database(path.join(dir, DATABASE_FILE));
      const known = (raw.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number }).v;
      raw.prepare('INSERT INTO schema_version (version) VALUES (?)').run(known + 1);
      raw.close();
      expect(() => openDatabase(dir)).toThrow(NewerDatabaseError);
      expect(() => openDatabase(dir)).toThrow(
        `the database was written by a newer release of the bot (schema version ${known + 1}; this release knows up to ${known})`,
      );
      const after = new Database(path.join(dir, DATABASE_FILE));
      expect((after.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number }).v).toBe(
        known + 1,
      );
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a lock another process holds is waited for at open, and one held too long is not reported as a damaged file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
    const file = path.join(dir, DATABASE_FILE);
    /** Another process holds an exclusive lock for `ms` (rollback-journal mode, in which it keeps readers out). */
    async function lockedFor(ms: number) {
      const holder = spawn(
        process.execPath,
        [
          '-e',
          `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)});
           db.pragma('journal_mode = DELETE'); db.exec('BEGIN EXCLUSIVE'); console.log('locked');
           setTimeout(() => { db.exec('COMMIT'); db.close(); }, ${ms});`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise<number | null>((resolve) => holder.once('exit', resolve));
      await Promise.race([
        new Promise<void>((resolve) =>
          holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve()),
        ),
        exited.then((code) => Promise.reject(new Error(`the lock holder exited first (${code})`))),
      ]);
      // In an object: an async function returning the promise itself would wait for the exit.
      return { released: exited };
    }
    try {
      openDatabase(dir).close();
      // Held for longer than the wait: SQLite's own "busy", never "the database file is damaged".
      let { released } = await lockedFor(1_500);
      let error: unknown;
      try {
        openDatabase(dir, { busyTimeoutMs: 100 }).close();
      } catch (err) {
        error = err;
      }
      expect(error).toMatchObject({ code: 'SQLITE_BUSY' });
      expect(String((error as Error).message)).not.toContain('damaged');
      expect(await released).toBe(0);
      // Held for less than the wait: the open waits and succeeds.
      ({ released } = await lockedFor(300));
      expect(() => openDatabase(dir, { busyTimeoutMs: 3_000 }).close()).not.toThrow();
      expect(await released).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bounds the page cache of its connection below better-sqlite3's 16 MB default, so memory does not grow with the file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
    const db = openDatabase(dir);
    try {
      expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("adds the expiry scan's (tenant, clock) index to a database of the previous release on open", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
    try {
      const first = createSqliteStore(dir);
      for (const [tenantId, id] of [
        ['tenant-2', 'b'],
        ['tenant-1', 'a'],
        ['tenant-2', 'c'],
      ])
        await first.connectors.create(
          connectorRecord({ tenantId, id, authorizedAt: '2026-01-10T00:00:00.000Z' }),
        );
      await first.close();
      // The file as the previous release left it: no index, its schema version one lower.
      const old = new Database(path.join(dir, DATABASE_FILE));
      const version = (old.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number }).v;
      old.exec(
        `DROP INDEX connectors_by_tenant_clock; DELETE FROM schema_version WHERE version = ${version}`,
      );
      old.close();

      const store = createSqliteStore(dir);
      try {
        const slices = [];
        for await (const slice of store.connectors.expiringByTenant(new Date('2026-02-01T00:00:00.000Z')))
          slices.push([slice.tenantId, slice.connectors.map((c) => c.id)]);
        expect(slices).toEqual([
          ['tenant-1', ['a']],
          ['tenant-2', ['b', 'c']],
        ]);
      } finally {
        await store.close();
      }
      const reopened = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
      const index = reopened
        .prepare(`SELECT sql FROM sqlite_master WHERE name = 'connectors_by_tenant_clock'`)
        .get() as { sql: string } | undefined;
      reopened.close();
      expect(index?.sql).toMatch(/ON connectors \(tenant_id, clock_start, id\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the state items of one call together: a conflict on one leaves the others as they were', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'store-contract-'));
    const store = createSqliteStore(dir);
    try {
      await store.state.write({ a: { n: 1 }, b: { n: 1 } });
      const read = await store.state.read(['a', 'b']);
      await store.state.write({ b: { ...read.b, n: 2 } });
      await expect(store.state.write({ a: { ...read.a, n: 3 }, b: { ...read.b, n: 3 } })).rejects.toThrow(
        /eTag conflict/,
      );
      const after = await store.state.read(['a', 'b']);
      expect([after.a.n, after.b.n]).toEqual([1, 2]);
      expect(after.a.eTag).toBe(read.a.eTag);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('pages of the name order, kept while no connector is written', () => {
    const TENANT = 'tenant-pages';
    let dir: string;
    let db: Database.Database;
    let connectors: SqliteConnectorStore;
    /** Times the table was read for a page of the name order. */
    let pageReads: () => number;

    beforeEach(async () => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'store-pages-'));
      db = reusePreparedStatements(openDatabase(dir));
      connectors = new SqliteConnectorStore(db);
      for (const name of ['Alpha', 'Bravo', 'Charlie'])
        await connectors.create(connectorRecord({ tenantId: TENANT, displayName: name }));
      const prepare = jest.spyOn(db, 'prepare');
      pageReads = () =>
        prepare.mock.calls.filter(([sql]) => String(sql).startsWith('SELECT display_name_key AS k')).length;
    });
    afterEach(() => {
      jest.restoreAllMocks();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const names = async (options: { limit?: number; cursor?: string } = { limit: 2 }) =>
      (await connectors.list(TENANT, options)).items.map((c) => c.displayName);

    it('reads an unchanged page once, each page and tenant on its own', async () => {
      const first = await connectors.list(TENANT, { limit: 2 });
      expect(await names()).toEqual(['Alpha', 'Bravo']);
      expect(await names({ limit: 2, cursor: first.next })).toEqual(['Charlie']);
      expect(await names({ limit: 3 })).toEqual(['Alpha', 'Bravo', 'Charlie']);
      expect((await connectors.list('another-tenant', { limit: 2 })).items).toEqual([]);
      const reads = pageReads();
      expect(await names()).toEqual(['Alpha', 'Bravo']);
      expect(await names({ limit: 2, cursor: first.next })).toEqual(['Charlie']);
      expect(pageReads()).toBe(reads);
      // Each read gives records of its own: a change to one is not seen by the next reader.
      const [a] = (await connectors.list(TENANT, { limit: 2 })).items;
      a.displayName = 'changed';
      expect(await names()).toEqual(['Alpha', 'Bravo']);
    });

    it('reads the table again after a create, an update or a delete through the store', async () => {
      expect(await names()).toEqual(['Alpha', 'Bravo']);
      await connectors.create(connectorRecord({ tenantId: TENANT, displayName: 'Aardvark' }));
      expect(await names()).toEqual(['Aardvark', 'Alpha']);
      const [aardvark] = (await connectors.list(TENANT, { limit: 1 })).items;
      await connectors.update({ ...aardvark, displayName: 'Zulu' });
      expect(await names()).toEqual(['Alpha', 'Bravo']);
      const [alpha] = (await connectors.list(TENANT, { limit: 1 })).items;
      await connectors.delete(TENANT, alpha.id);
      expect(await names()).toEqual(['Bravo', 'Charlie']);
    });

    it('reads the table again after another connection to the file writes a connector', async () => {
      expect(await names()).toEqual(['Alpha', 'Bravo']);
      const other = new Database(path.join(dir, DATABASE_FILE));
      try {
        other
          .prepare(
            "UPDATE connectors SET display_name_key = 'aaa', doc = json_set(doc, '$.displayName', 'Aaa') WHERE display_name_key = ?",
          )
          .run('charlie');
      } finally {
        other.close();
      }
      expect(await names()).toEqual(['Aaa', 'Alpha']);
    });

    it('reads the table inside a transaction, and after one rolled back shows what was kept', async () => {
      const [alpha] = (await connectors.list(TENANT, { limit: 1 })).items;
      expect(await names()).toEqual(['Alpha', 'Bravo']);
      // better-sqlite3 runs each call at once: the update and the read happen inside the transaction.
      let inside: Promise<{ items: { displayName: string }[] }> | undefined;
      const renameThenFail = db.transaction(() => {
        void connectors.update({ ...alpha, displayName: 'Zulu' });
        inside = connectors.list(TENANT, { limit: 2 });
        throw new Error('rolled back');
      });
      expect(() => renameThenFail()).toThrow('rolled back');
      expect((await inside!).items.map((c) => c.displayName)).toEqual(['Bravo', 'Charlie']);
      expect(await names()).toEqual(['Alpha', 'Bravo']);
    });
  });
});
