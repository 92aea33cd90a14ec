import type { TableClient } from '@azure/data-tables';
import { ConnectorIndex, expiryKeys } from '../../../../src/store/azure/connectorIndex';
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
        for await (const tenant of index.byTenant('any', 1)) {
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
