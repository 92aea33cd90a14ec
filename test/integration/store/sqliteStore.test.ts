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
});
