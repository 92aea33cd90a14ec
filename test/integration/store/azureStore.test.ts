import type { ClientRequest } from 'node:http';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createAzureStore } from '../../../src/store/azure';
import { tableClient } from '../../../src/store/azure/clients';
import { expiryKeys, STALE_ROW_GRACE_MS } from '../../../src/store/azure/connectorIndex';
import { escapeKey } from '../../../src/store/azure/keys';
import { StoreUnavailableError, type Store } from '../../../src/connectors/ports';
import { freshPrefix, useAzurite } from '../../support/azurite';
import { connectorRecord } from '../../support/connectorFixtures';
import { aConnector } from '../../support/builders';
import { describeStoreContract } from './storeContract';

const azurite = useAzurite({ services: ['blob', 'table'] });

describeStoreContract('azure', async () => {
  const store = await createAzureStore(azurite().connectionString, undefined, { prefix: freshPrefix() });
  return { store, cleanup: () => store.close() };
});

describe('azure store', () => {
  it('names the account, never the key', async () => {
    const store = await createAzureStore(azurite().connectionString, undefined, { prefix: freshPrefix() });
    expect(store.location).toBe('devstoreaccount1');
    expect(store.location).not.toContain(azurite().accountKey);
  });

  it('shares data between two replicas on the same account and hands each notice to one', async () => {
    const prefix = freshPrefix();
    const [a, b] = await Promise.all([
      createAzureStore(azurite().connectionString, undefined, { prefix }),
      createAzureStore(azurite().connectionString, undefined, { prefix }),
    ]);
    const created = await a.connectors.create(aConnector('tenant-1').withId('c-1').build());
    expect(await b.connectors.get('tenant-1', 'c-1')).toEqual(created);
    const key = {
      tenantId: 'tenant-1',
      connectorId: 'c-1',
      periodStart: '2026-01-01T00:00:00.000Z',
      threshold: 14,
      target: 'person:user-1',
    };
    const now = new Date('2026-03-01T00:00:00.000Z');
    const claims = await Promise.all(
      [a, b, a, b, a, b].map((store, i) => store.notices.claim(key, `replica-${i}`, now, 60_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  /**
   * A store whose expiry index holds, beside a live connector's row, the rows of two writers that
   * crashed: one put a new row and died before committing the record (the clock never moved), one
   * deleted the record and died before removing its row, long ago.
   */
  async function storeWithStaleIndexRows() {
    const prefix = freshPrefix();
    const store = await createAzureStore(azurite().connectionString, undefined, { prefix });
    const expiry = tableClient(azurite().connectionString, `${prefix}Expiry`);
    const live = await store.connectors.create(
      connectorRecord({ tenantId: 'tenant-1', id: 'live', authorizedAt: '2026-01-10T00:00:00.000Z' }),
    );
    const phantom = expiryKeys({ ...live, lastTransferAt: '2026-01-20T00:00:00.000Z' })!;
    await expiry.createEntity({ ...phantom, t: 'tenant-1', i: 'live', at: Date.now() });
    const gone = expiryKeys(
      connectorRecord({ tenantId: 'tenant-2', id: 'gone', authorizedAt: '2026-01-07' }),
    )!;
    await expiry.createEntity({ ...gone, t: 'tenant-2', i: 'gone', at: Date.now() - STALE_ROW_GRACE_MS - 1 });
    return { store, expiry, live, phantom, gone };
  }

  it('skips index rows a crashed writer left behind, and removes them once they are old', async () => {
    const { store, expiry, live, phantom, gone } = await storeWithStaleIndexRows();
    const before = new Date('2026-02-01T00:00:00.000Z');
    expect((await store.connectors.listExpiring(before)).items).toEqual([live]);
    // With a page of one, the stale rows after it do not make a next page.
    expect(await store.connectors.listExpiring(before, { limit: 1 })).toEqual({ items: [live] });
    // The fresh one stays (its writer may still commit); the old one is gone.
    await expect(expiry.getEntity(phantom.partitionKey, phantom.rowKey)).resolves.toBeDefined();
    await expect(expiry.getEntity(gone.partitionKey, gone.rowKey)).rejects.toMatchObject({ statusCode: 404 });
  });

  it('skips and removes stale index rows a tenant at a time as listExpiring does', async () => {
    const { store, expiry, live, phantom, gone } = await storeWithStaleIndexRows();
    const slices = [];
    for await (const slice of store.connectors.expiringByTenant(new Date('2026-02-01T00:00:00.000Z')))
      slices.push(slice);
    // The phantom row's connector is given once, from the row its record points at; tenant-2 had only a stale row.
    expect(slices).toEqual([{ tenantId: 'tenant-1', connectors: [live] }]);
    await expect(expiry.getEntity(phantom.partitionKey, phantom.rowKey)).resolves.toBeDefined();
    await expect(expiry.getEntity(gone.partitionKey, gone.rowKey)).rejects.toMatchObject({ statusCode: 404 });
  });

  /** Record reads (GET <table>Connectors(PartitionKey=…,RowKey=…)) this process starts against `prefix`'s tables. */
  function recordReads(prefix: string) {
    let count = 0;
    let waiting: { n: number; resolve: () => void } | undefined;
    const onStart = (message: unknown) => {
      const { method, path } = (message as { request: ClientRequest }).request;
      if (method !== 'GET' || !path.includes(`/${prefix}Connectors(`)) return;
      count += 1;
      if (waiting && count >= waiting.n) waiting.resolve();
    };
    subscribe('http.client.request.start', onStart);
    return {
      get count() {
        return count;
      },
      /** Resolves once `n` reads have started, or after `ms` whatever the count. */
      reach(n: number, ms: number): Promise<void> {
        return new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          waiting = { n, resolve: () => (clearTimeout(timer), resolve()) };
          if (count >= n) waiting.resolve();
        });
      },
      stop: () => unsubscribe('http.client.request.start', onStart),
    };
  }

  it("reads ahead the next tenants' records while the caller holds one, and gives the same tenants", async () => {
    const prefix = freshPrefix();
    const store = await createAzureStore(azurite().connectionString, undefined, { prefix });
    const tenants = Array.from({ length: 8 }, (_, t) => `tenant-${t}`);
    for (const tenantId of tenants) {
      for (const id of ['a', 'b'])
        await store.connectors.create(
          connectorRecord({ tenantId, id, authorizedAt: '2026-01-05T00:00:00.000Z' }),
        );
      await store.connectors.create(
        connectorRecord({ tenantId, id: 'late', authorizedAt: '2026-03-01T00:00:00.000Z' }),
      );
    }
    const before = new Date('2026-02-01T00:00:00.000Z');
    const atItsTurn = [];
    for await (const slice of store.connectors.expiringByTenant(before)) atItsTurn.push(slice);
    expect(atItsTurn).toHaveLength(8);

    const reads = recordReads(prefix);
    const ahead = [];
    let readWhileFirstHeld = 0;
    try {
      for await (const slice of store.connectors.expiringByTenant(before, { readAhead: 4 })) {
        if (ahead.length === 0) {
          // The first group (tenants of 4 rows) was read before it was given; the next one is asked
          // for while the caller holds its first tenant, and no more until it asks for the next.
          await reads.reach(8, 5_000);
          readWhileFirstHeld = reads.count;
        }
        ahead.push(slice);
      }
    } finally {
      reads.stop();
    }
    expect(readWhileFirstHeld).toBe(8);
    expect(ahead).toEqual(atItsTurn);
    await store.close();
  });

  it('gives the tenants in the order of their partition keys, whatever the order of their clocks', async () => {
    const prefix = freshPrefix();
    const store = await createAzureStore(azurite().connectionString, undefined, { prefix });
    // Later tenants (by key) have the older clocks, so the index rows come in the opposite order.
    const tenants = ['tenant-a', 'tenant-b', 'Tenant c', 'tenant-d'];
    for (const [i, tenantId] of tenants.entries())
      await store.connectors.create(
        connectorRecord({
          tenantId,
          id: 'x',
          authorizedAt: `2026-01-${String(20 - i).padStart(2, '0')}T00:00:00.000Z`,
        }),
      );
    const given: string[] = [];
    for await (const slice of store.connectors.expiringByTenant(new Date('2026-02-01T00:00:00.000Z'), {
      readAhead: 2,
    }))
      given.push(slice.tenantId);
    expect(given).toEqual([...tenants].sort((a, b) => (escapeKey(a) < escapeKey(b) ? -1 : 1)));
    expect(given).not.toEqual([...tenants].reverse());
    await store.close();
  });

  it('leaves no read running when the caller stops reading ahead early', async () => {
    const prefix = freshPrefix();
    const store = await createAzureStore(azurite().connectionString, undefined, { prefix });
    for (const tenantId of ['tenant-1', 'tenant-2', 'tenant-3'])
      await store.connectors.create(
        connectorRecord({ tenantId, id: 'a', authorizedAt: '2026-01-05T00:00:00.000Z' }),
      );
    const reads = recordReads(prefix);
    try {
      for await (const slice of store.connectors.expiringByTenant(new Date('2026-02-01T00:00:00.000Z'), {
        readAhead: 1,
      })) {
        expect(slice.tenantId).toBe('tenant-1');
        break;
      }
      // The second tenant's read was under way when the caller stopped; the third was never asked for.
      expect(reads.count).toBe(2);
    } finally {
      reads.stop();
    }
    await store.close();
  });

  describe('when Azure cannot be reached', () => {
    let store: Store;
    beforeAll(async () => {
      store = await createAzureStore(azurite().connectionString, undefined, { prefix: freshPrefix() });
      await azurite().stop();
    });

    it('fails ping and every kind of operation with StoreUnavailableError', async () => {
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.connectors.get('tenant-1', 'c-1')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.conversations.claimWelcome('tenant-1', 'a:1', 'now')).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await expect(store.state.read(['some/key'])).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.state.write({ 'some/key': { n: 1 } })).rejects.toBeInstanceOf(StoreUnavailableError);
    }, 30_000);

    it('fails the expiry listing read a tenant at a time with StoreUnavailableError', async () => {
      const read = async () => {
        for await (const slice of store.connectors.expiringByTenant(new Date())) void slice;
      };
      await expect(read()).rejects.toBeInstanceOf(StoreUnavailableError);
    }, 30_000);

    it('refuses to start with StoreUnavailableError', async () => {
      await expect(
        createAzureStore(azurite().connectionString, undefined, { prefix: freshPrefix() }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
    }, 30_000);
  });
});
