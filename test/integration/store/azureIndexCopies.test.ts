import type { ClientRequest } from 'node:http';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { TableClient } from '@azure/data-tables';
import type { Connector } from '../../../src/connectors/connector';
import type { Store } from '../../../src/connectors/ports';
import { createAzureStore } from '../../../src/store/azure';
import { tableClient } from '../../../src/store/azure/clients';
import { expiryKeys } from '../../../src/store/azure/connectorIndex';
import { AzureConnectorStore } from '../../../src/store/azure/connectorStore';
import { freshPrefix, useAzurite } from '../../support/azurite';
import { connectorRecord } from '../../support/connectorFixtures';

const azurite = useAzurite({ services: ['blob', 'table'] });

const BEFORE = new Date('2026-02-01T00:00:00.000Z');

/** Record reads (GET <prefix>Connectors(PartitionKey=…,RowKey=…)) this process makes while `run` runs. */
async function recordReadsDuring<T>(
  prefix: string,
  run: () => Promise<T>,
): Promise<{ result: T; reads: number }> {
  let reads = 0;
  const onStart = (message: unknown) => {
    const { method, path } = (message as { request: ClientRequest }).request;
    if (method === 'GET' && path.includes(`/${prefix}Connectors(`)) reads += 1;
  };
  subscribe('http.client.request.start', onStart);
  try {
    return { result: await run(), reads };
  } finally {
    unsubscribe('http.client.request.start', onStart);
  }
}

async function byTenant(store: Store, maxAgeMs: number): Promise<Connector[]> {
  const found: Connector[] = [];
  for await (const slice of store.connectors.expiringByTenant(BEFORE, { readAhead: 4, maxAgeMs }))
    found.push(...slice.connectors);
  return found;
}

async function expiryRow(expiry: TableClient, c: Connector) {
  const keys = expiryKeys(c)!;
  return expiry.getEntity<Record<string, unknown>>(keys.partitionKey, keys.rowKey);
}

async function setUp() {
  const prefix = freshPrefix();
  const store = await createAzureStore(azurite().connectionString, undefined, { prefix });
  const table = (suffix: string) => tableClient(azurite().connectionString, `${prefix}${suffix}`);
  return { prefix, store, expiry: table('Expiry'), table };
}

describe('azure expiry index rows with a copy of the record', () => {
  it('gives a listing from the rows committed writes confirmed, without reading the records', async () => {
    const { prefix, store, expiry } = await setUp();
    const created = [];
    for (const tenantId of ['tenant-1', 'tenant-2', 'tenant-3'])
      created.push(
        await store.connectors.create(
          connectorRecord({ tenantId, id: 'a', authorizedAt: '2026-01-05T00:00:00.000Z' }),
        ),
      );
    const moved = await store.connectors.update({ ...created[1], displayName: 'Renamed' });
    expect((await expiryRow(expiry, moved)).doc).toEqual(expect.stringContaining('Renamed'));
    const expected = [created[0], moved, created[2]];

    const listed = await recordReadsDuring(prefix, () => store.connectors.listExpiring(BEFORE));
    expect(listed).toEqual({ result: { items: expected }, reads: 0 });
    const fresh = await recordReadsDuring(prefix, () => byTenant(store, 60_000));
    expect(fresh).toEqual({ result: expected, reads: 0 });
    // Without maxAgeMs each tenant's records are read at its turn, as before.
    const atTurn = await recordReadsDuring(prefix, () => byTenant(store, 0));
    expect(atTurn).toEqual({ result: expected, reads: 3 });
    await store.close();
  });

  it('reads the record of a row the previous release wrote (no copy), and confirms it at the next write', async () => {
    const { prefix, store, expiry } = await setUp();
    const c = await store.connectors.create(
      connectorRecord({ tenantId: 'tenant-1', id: 'old', authorizedAt: '2026-01-05T00:00:00.000Z' }),
    );
    // The row as the previous release left it: keys, tenant, id and time only.
    await expiry.upsertEntity({ ...expiryKeys(c)!, t: c.tenantId, i: c.id, at: Date.now() }, 'Replace');

    const before = await recordReadsDuring(prefix, () => byTenant(store, 60_000));
    expect(before).toEqual({ result: [c], reads: 1 });
    const updated = await store.connectors.update({ ...c, displayName: 'Written again' });
    const after = await recordReadsDuring(prefix, () => byTenant(store, 60_000));
    expect(after).toEqual({ result: [updated], reads: 0 });
    await store.close();
  });

  /**
   * A store whose index writes after the record's commit fail, as if the process died there: the
   * record is committed, the rows are as the write left them before its commit.
   */
  function crashingAfterCommit(table: (suffix: string) => TableClient) {
    const crashing = (client: TableClient) =>
      new Proxy(client, {
        get(target, name, receiver) {
          if (
            name === 'upsertEntity' ||
            name === 'updateEntity' ||
            name === 'getEntity' ||
            name === 'deleteEntity'
          ) {
            // Only what comes after the commit: the pending puts before it go through.
            return (...args: unknown[]) =>
              crashed.committed
                ? Promise.reject(new Error('process died'))
                : (Reflect.get(target, name, receiver) as (...a: unknown[]) => unknown).apply(target, args);
          }
          return Reflect.get(target, name, receiver);
        },
      });
    const records = table('Connectors');
    const crashed = { committed: false };
    const committing = new Proxy(records, {
      get(target, name, receiver) {
        if (name === 'submitTransaction')
          return async (...args: Parameters<TableClient['submitTransaction']>) => {
            const result = await target.submitTransaction(...args);
            crashed.committed = true;
            return result;
          };
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return new AzureConnectorStore(committing, crashing(table('Expiry')), crashing(table('Consent')));
  }

  it.each([
    [
      'a rename (the row stays where it is)',
      true,
      (c: Connector) => ({ ...c, displayName: 'Renamed, then died' }),
    ],
    [
      'a transfer (the row moves to a later day)',
      false,
      (c: Connector) => ({ ...c, lastTransferAt: '2026-03-01T00:00:00.000Z' }),
    ],
    [
      'a deauthorization (the row goes)',
      false,
      (c: Connector) => ({ ...c, status: 'deauthorized' as const }),
    ],
  ])(
    'never gives the copy of a record that a write changed before dying: %s',
    async (_, stillDue, change) => {
      const { store, table } = await setUp();
      const c = await store.connectors.create(
        connectorRecord({ tenantId: 'tenant-1', id: 'c', authorizedAt: '2026-01-05T00:00:00.000Z' }),
      );
      const dying = crashingAfterCommit(table);
      await expect(dying.update(change(c))).rejects.toThrow('process died');
      const now = await store.connectors.get('tenant-1', 'c');
      expect(now).toEqual(expect.objectContaining({ version: 2 }));
      const due = stillDue ? [now] : [];
      expect(await byTenant(store, 60_000)).toEqual(due);
      expect((await store.connectors.listExpiring(BEFORE)).items).toEqual(due);
      await store.close();
    },
  );

  it('never gives the copy of a connector deleted by a process that died before removing its row', async () => {
    const { store, table } = await setUp();
    await store.connectors.create(
      connectorRecord({ tenantId: 'tenant-1', id: 'c', authorizedAt: '2026-01-05T00:00:00.000Z' }),
    );
    const dying = crashingAfterCommit(table);
    await expect(dying.delete('tenant-1', 'c')).rejects.toThrow('process died');
    await expect(store.connectors.get('tenant-1', 'c')).resolves.toBeUndefined();
    expect(await byTenant(store, 60_000)).toEqual([]);
    await store.close();
  });

  it('leaves a row pending when another write changed it between the put and the confirmation', async () => {
    const { store, expiry } = await setUp();
    const c = await store.connectors.create(
      connectorRecord({ tenantId: 'tenant-1', id: 'c', authorizedAt: '2026-01-05T00:00:00.000Z' }),
    );
    const index = (store.connectors as AzureConnectorStore).expiry;
    const etag = await index.beforeWrite(c, c);
    // Another writer rewrites the row before this one confirms it.
    await index.put(c);
    await index.afterWrite(c, c, etag);
    expect((await expiryRow(expiry, c)).doc).toBeUndefined();
    await store.close();
  });
});
