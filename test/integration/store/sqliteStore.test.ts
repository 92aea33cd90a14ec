import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createSqliteStore } from '../../../src/store/sqlite';
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
