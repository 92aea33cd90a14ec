import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteStore } from '../../../src/store/sqlite';
import { DATABASE_FILE, PAGE_CACHE_KIB, openDatabase } from '../../../src/store/sqlite/database';
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
});
