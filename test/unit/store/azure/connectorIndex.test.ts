import type { TableClient } from '@azure/data-tables';
import { ConnectorIndex, expiryKeys } from '../../../../src/store/azure/connectorIndex';
import { upgradeConnector } from '../../../../src/connectors/provenance';
import { packDoc } from '../../../../src/store/azure/keys';
import { connectorRecord } from '../../../support/connectorFixtures';

/** An index table whose query gives `rows` (all byTenant asks of it). */
const tableOf = (rows: object[]) =>
  ({
    listEntities: () =>
      (async function* () {
        yield* rows;
      })(),
  }) as unknown as TableClient;

describe('ConnectorIndex.byTenant reading ahead', () => {
  it('fails the next step, not the process, when a record read ahead fails while the caller holds a tenant', async () => {
    const connectors = ['t1', 't2', 't3'].map((tenantId) =>
      connectorRecord({ tenantId, id: 'c', authorizedAt: '2026-01-05T00:00:00.000Z' }),
    );
    const rows = connectors.map((c) => ({ ...expiryKeys(c)!, etag: 'e', t: c.tenantId, i: c.id, at: 0 }));
    const failure = new Error('storage unreachable');
    const index = new ConnectorIndex(tableOf(rows), expiryKeys, async (tenantId) => {
      if (tenantId === 't2') throw failure;
      return { connector: connectors.find((c) => c.tenantId === tenantId)! };
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const given: string[] = [];
    try {
      const reading = async () => {
        for await (const tenant of index.byTenant('any', { readAhead: 1 })) {
          given.push(tenant.tenantId);
          // Holds the first tenant while the second one's read fails.
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      await expect(reading()).rejects.toBe(failure);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(given).toEqual(['t1']);
    expect(unhandled).toEqual([]);
  });
});

describe('ConnectorIndex.byTenant with maxAgeMs', () => {
  /** Three tenants' confirmed rows (each with a copy of its record), and a record store that counts reads. */
  function confirmedIndex() {
    const connectors = ['t1', 't2', 't3'].map((tenantId) =>
      connectorRecord({ tenantId, id: 'c', authorizedAt: '2026-01-05T00:00:00.000Z', version: 1 }),
    );
    const rows = connectors.map((c) => ({
      ...expiryKeys(c)!,
      etag: 'e',
      t: c.tenantId,
      i: c.id,
      at: 0,
      ...packDoc(c),
    }));
    // The records as they are now: changed since the rows were listed.
    const records = connectors.map((c) => ({ ...c, displayName: `${c.displayName} now`, version: 2 }));
    const reads: string[] = [];
    let now = 1_000_000;
    const index = new ConnectorIndex(
      tableOf(rows),
      expiryKeys,
      async (tenantId) => {
        reads.push(tenantId);
        return { connector: records.find((c) => c.tenantId === tenantId)! };
      },
      () => now,
    );
    return { connectors, records, reads, index, advance: (ms: number) => (now += ms) };
  }

  it('gives the tenants from the listing while it is at most maxAgeMs old, then reads their records', async () => {
    const { connectors, records, reads, index, advance } = confirmedIndex();
    const given = [];
    for await (const tenant of index.byTenant('any', { maxAgeMs: 5_000 })) {
      given.push(...tenant.connectors);
      // The second tenant's turn comes 5 s after the listing, the third's later.
      advance(tenant.tenantId === 't1' ? 5_000 : 1);
    }
    expect(given).toEqual([upgradeConnector(connectors[0]), upgradeConnector(connectors[1]), records[2]]);
    expect(reads).toEqual(['t3']);
  });

  it('reads every record at its turn without maxAgeMs', async () => {
    const { records, reads, index } = confirmedIndex();
    const given = [];
    for await (const tenant of index.byTenant('any')) given.push(...tenant.connectors);
    expect(given).toEqual(records);
    expect(reads).toEqual(['t1', 't2', 't3']);
  });
});
