import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Logger } from '../../util/logger';
import { httpStatusOf } from '../../util/httpStatus';
import { ignoring, unlessMissing } from './errors';
import { LEDGER_PARTITION_PREFIX, ledgerKeysOfTenantRow } from './noticeLedger';

/** Written once every ledger row of the earlier layout is in the cross-tenant partitions. */
const DONE = { partitionKey: `${LEDGER_PARTITION_PREFIX}layout`, rowKey: 'cross-tenant' };
const MAX_BATCH = 100;

interface LedgerRow {
  partitionKey: string;
  rowKey: string;
  state: string;
  claimant?: string;
  claimedAt?: number;
  sentAt?: number;
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

function grouped(rows: LedgerRow[], keyOf: (row: LedgerRow) => string): LedgerRow[][] {
  const groups = new Map<string, LedgerRow[]>();
  for (const row of rows) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return [...groups.values()].flatMap((group) => {
    const out: LedgerRow[][] = [];
    for (let i = 0; i < group.length; i += MAX_BATCH) out.push(group.slice(i, i + MAX_BATCH));
    return out;
  });
}

/** Copies one page of tenant-partition ledger rows to their new keys (a row already there wins), then deletes them. */
async function movePage(table: TableClient, rows: LedgerRow[]): Promise<void> {
  const copies = grouped(
    rows.map((row) => ({ ...row, ...ledgerKeysOfTenantRow(row.partitionKey, row.rowKey) })),
    (row) => row.partitionKey,
  );
  for (const group of copies) {
    const actions = group.map(
      ({ partitionKey, rowKey, state, claimant, claimedAt, sentAt }): TransactionAction => [
        'create',
        { partitionKey, rowKey, state, claimant, claimedAt, ...(sentAt === undefined ? {} : { sentAt }) },
      ],
    );
    await submitEach(table, actions, [409]);
  }
  for (const group of grouped(rows, (row) => row.partitionKey)) {
    const actions = group.map(({ partitionKey, rowKey }): TransactionAction => [
      'delete',
      { partitionKey, rowKey },
    ]);
    await submitEach(table, actions, [404]);
  }
}

/**
 * Moves the notice ledger of the earlier layout (a tenant's claims in the tenant's partition,
 * beside the audit rows of its sent notices) into the cross-tenant ledger partitions, keeping
 * each notice's state, claimant and times, once per table: a store opening after the move reads
 * one row. Safe to run in several processes at once and to run again after a crash: a copy never
 * replaces a row already at the new key (a claim made there is newer), and the rows of the
 * earlier layout are deleted only once copied. Processes of the earlier release must be stopped
 * first: their claims in the old layout are not seen by this one.
 */
export async function migrateNoticeLedger(table: TableClient, logger?: Logger): Promise<number> {
  if (await unlessMissing(table.getEntity(DONE.partitionKey, DONE.rowKey))) return 0;
  let moved = 0;
  const filter = odata`state eq ${'claimed'} or state eq ${'sent'} or state eq ${'released'}`;
  for await (const page of table
    .listEntities<LedgerRow>({ queryOptions: { filter } })
    .byPage({ maxPageSize: 1000 })) {
    const rows = page.filter(
      (row) => !String(row.partitionKey).startsWith(LEDGER_PARTITION_PREFIX),
    ) as LedgerRow[];
    if (rows.length === 0) continue;
    await movePage(table, rows);
    moved += rows.length;
  }
  await table.upsertEntity({ ...DONE, at: Date.now(), moved });
  if (moved > 0) logger?.info('notice ledger moved to cross-tenant partitions', { notices: moved });
  return moved;
}
