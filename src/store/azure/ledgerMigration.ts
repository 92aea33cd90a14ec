import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Logger } from '../../util/logger';
import { httpStatusOf } from '../../util/httpStatus';
import { ignoring, unlessMissing } from './errors';
import { LEDGER_PARTITION_PREFIX, ledgerKeysOfTenantRow } from './ledgerKeys';

/** Written once every row of the earlier layout is in the shared ledger partition. */
const DONE = { partitionKey: `${LEDGER_PARTITION_PREFIX}layout`, rowKey: 'cross-tenant' };
const MAX_BATCH = 100;

type Row = Record<string, unknown> & { partitionKey: string; rowKey: string };

/** A row's own properties, without the service's ETag and timestamp. */
function propertiesOf(row: Row): Record<string, unknown> {
  const { partitionKey: _pk, rowKey: _rk, etag: _etag, timestamp: _ts, ...props } = row;
  return props;
}

/** Runs `actions` as one transaction, and each on its own (ignoring `statuses`) if it fails on one of them. */
async function submitEach(
  table: TableClient,
  actions: TransactionAction[],
  statuses: number[],
): Promise<void> {
  try {
    await table.submitTransaction(actions);
  } catch (err) {
    if (!statuses.includes(httpStatusOf(err) ?? 0)) throw err;
    for (const [kind, entity] of actions) {
      const write =
        kind === 'create'
          ? table.createEntity(entity)
          : table.deleteEntity(entity.partitionKey, entity.rowKey);
      await ignoring(statuses, write);
    }
  }
}

function grouped(rows: Row[], keyOf: (row: Row) => string): Row[][] {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return [...groups.values()].flatMap((group) => {
    const out: Row[][] = [];
    for (let i = 0; i < group.length; i += MAX_BATCH) out.push(group.slice(i, i + MAX_BATCH));
    return out;
  });
}

/** Copies one page of tenant-partition rows to their new keys (a row already there wins), then deletes them. */
async function movePage(table: TableClient, rows: Row[]): Promise<void> {
  const copies = grouped(
    rows.map((row) => ({ ...propertiesOf(row), ...ledgerKeysOfTenantRow(row.partitionKey, row.rowKey) })),
    (row) => row.partitionKey,
  );
  for (const group of copies)
    await submitEach(
      table,
      group.map((row): TransactionAction => ['create', row]),
      [409],
    );
  for (const group of grouped(rows, (row) => row.partitionKey)) {
    const actions = group.map(({ partitionKey, rowKey }): TransactionAction => [
      'delete',
      { partitionKey, rowKey },
    ]);
    await submitEach(table, actions, [404]);
  }
}

/**
 * Moves the notice ledger of the earlier layout (a tenant's claims and the events of its sent
 * notices in the tenant's own partition) into the shared ledger partitions (ledgerKeys.ts),
 * keeping every row's properties under the same key behind its tenant; once per table: a store
 * opening after the move reads one row. Safe to run in several processes at once and to run
 * again after a crash: a copy never replaces a row already at the new key (a claim made there
 * is newer), and the rows of the earlier layout are deleted only once copied. Processes of the
 * earlier release must be stopped first: claims they make in the old layout are not seen here.
 */
export async function migrateNoticeLedger(table: TableClient, logger?: Logger): Promise<number> {
  if (await unlessMissing(table.getEntity(DONE.partitionKey, DONE.rowKey))) return 0;
  let moved = 0;
  // Every partition but the ledger's ("~n|…"): tenants' partitions of the earlier layout.
  const filter = odata`PartitionKey lt ${LEDGER_PARTITION_PREFIX} or PartitionKey ge ${'~n}'}`;
  for await (const page of table
    .listEntities<Row>({ queryOptions: { filter } })
    .byPage({ maxPageSize: 1000 })) {
    const rows = (page as Row[]).filter((row) => !row.partitionKey.startsWith(LEDGER_PARTITION_PREFIX));
    if (rows.length === 0) continue;
    await movePage(table, rows);
    moved += rows.length;
  }
  await table.upsertEntity({ ...DONE, at: Date.now(), moved });
  if (moved > 0) logger?.info('notice ledger moved to shared ledger partitions', { rows: moved });
  return moved;
}
