import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { randomBytes } from 'node:crypto';
import type { AuditEvent, AuditLog } from '../../connectors/ports';
import { guard } from './errors';
import { escapeKey, packDoc, prefixEnd, unpackDoc } from './keys';
import { ledgerPartition } from './ledgerKeys';

export const ALL = 'a|';
const BY_CONNECTOR = 'c|';
export const byConnectorPrefix = (connectorId: string) => `${BY_CONNECTOR}${escapeKey(connectorId)}|`;

let lastMs = 0;
let sequence = 0;

/**
 * Newest first: 13 digits of (max - ms since the epoch), then an inverted in-process sequence
 * (several events in one millisecond), then random bytes (several processes). The clock never
 * steps back within a process.
 */
function invertedTime(): string {
  const ms = Math.max(Date.now(), lastMs);
  sequence = ms === lastMs ? sequence + 1 : 0;
  lastMs = ms;
  return [
    String(9_999_999_999_999 - ms).padStart(13, '0'),
    String(999_999 - (sequence % 1_000_000)).padStart(6, '0'),
    randomBytes(4).toString('hex'),
  ].join('-');
}

/**
 * The events of sent notices are in the notices table, in the tenant's ledger partition, written
 * in the same entity-group transaction as the marks (see ledgerKeys.ts): "<tenant>|~a|<time>" and
 * "<tenant>|~c|<connector>|<time>".
 */
function noticeAuditAll(escapedTenant: string): string {
  return `${escapedTenant}|~a|`;
}
const noticeAuditByConnector = (escapedTenant: string, connectorId: string) =>
  `${escapedTenant}|~c|${escapeKey(connectorId)}|`;

/** Both rows of an event (the tenant's "all" row and the connector's copy), as transaction creates. */
export function auditActions(event: AuditEvent): TransactionAction[] {
  const partitionKey = escapeKey(event.tenantId);
  const time = invertedTime();
  const doc = packDoc(event);
  const actions: TransactionAction[] = [['create', { partitionKey, rowKey: ALL + time, ...doc }]];
  if (event.connectorId)
    actions.push(['create', { partitionKey, rowKey: byConnectorPrefix(event.connectorId) + time, ...doc }]);
  return actions;
}

/** The rows of the event of a sent notice, in its tenant's ledger partition, as transaction creates. */
export function noticeAuditActions(event: AuditEvent): TransactionAction[] {
  const tenant = escapeKey(event.tenantId);
  const partitionKey = ledgerPartition(tenant);
  const time = invertedTime();
  const doc = packDoc(event);
  const actions: TransactionAction[] = [
    ['create', { partitionKey, rowKey: noticeAuditAll(tenant) + time, ...doc }],
  ];
  if (event.connectorId)
    actions.push([
      'create',
      { partitionKey, rowKey: noticeAuditByConnector(tenant, event.connectorId) + time, ...doc },
    ]);
  return actions;
}

/** Whether a notices-table row is the event of a sent notice (not its connector copy, not a ledger row). */
export function isNoticeAuditEvent(rowKey: string): boolean {
  return /^[^|]*\|~a\|/.test(rowKey);
}

/**
 * Append-only audit log: PartitionKey = tenant; every event is one row under "a|" and, when it
 * names a connector, a copy under "c|<connector>|", written in one transaction, so both "the
 * tenant's latest" and "this connector's latest" are range reads of `limit` rows. The events of
 * sent notices are in the notices table (see {@link noticeAuditActions}); a list reads both tables
 * and merges them by time.
 */
export class AzureAuditLog implements AuditLog {
  constructor(
    private readonly table: TableClient,
    private readonly notices?: TableClient,
  ) {}

  append(event: AuditEvent): Promise<void> {
    return guard(async () => {
      await this.table.submitTransaction(auditActions(event));
    });
  }

  list(tenantId: string, options: { connectorId?: string; limit?: number } = {}): Promise<AuditEvent[]> {
    return guard(async () => {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 1000);
      const prefix = options.connectorId ? byConnectorPrefix(options.connectorId) : ALL;
      const reads = [latest(this.table, escapeKey(tenantId), prefix, limit)];
      if (this.notices) {
        const tenant = escapeKey(tenantId);
        const inNotices = options.connectorId
          ? noticeAuditByConnector(tenant, options.connectorId)
          : noticeAuditAll(tenant);
        reads.push(latest(this.notices, ledgerPartition(tenant), inNotices, limit));
      }
      const rows = (await Promise.all(reads)).flat();
      // The time part (after the prefix) orders rows newest first, whichever table holds them.
      rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      return rows.slice(0, limit).map((r) => r.event);
    });
  }
}

/** The first `limit` rows under `prefix` in a partition, with their time keys. */
async function latest(
  table: TableClient,
  partitionKey: string,
  prefix: string,
  limit: number,
): Promise<{ time: string; event: AuditEvent }[]> {
  const filter = odata`PartitionKey eq ${partitionKey} and RowKey gt ${prefix} and RowKey lt ${prefixEnd(prefix)}`;
  const rows: { time: string; event: AuditEvent }[] = [];
  for await (const page of table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: limit })) {
    for (const row of page)
      rows.push({ time: (row.rowKey as string).slice(prefix.length), event: unpackDoc<AuditEvent>(row) });
    if (rows.length >= limit) break;
  }
  return rows.slice(0, limit);
}
