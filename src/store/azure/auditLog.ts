import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { randomBytes } from 'node:crypto';
import type { AuditEvent, AuditLog } from '../../connectors/ports';
import { guard } from './errors';
import { escapeKey, packDoc, prefixEnd, unpackDoc } from './keys';

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
 * Where audit rows live in the notices table: the events of sent notices are written there, in
 * the same entity-group transaction as the mark, under "~a|" and "~c|<connector>|". A notice row's
 * key starts with an escaped connector id, in which "~" is followed by "~", "|" or an upper-case
 * hex digit, never by a lower-case letter, so the ranges never meet a notice.
 */
export const NOTICE_AUDIT_ALL = '~a|';
const NOTICE_AUDIT_BY_CONNECTOR = '~c|';
const noticeAuditByConnector = (connectorId: string) =>
  `${NOTICE_AUDIT_BY_CONNECTOR}${escapeKey(connectorId)}|`;

/** Both rows of an event (the tenant's "all" row and the connector's copy), as transaction creates. */
export function auditActions(event: AuditEvent, inNotices = false): TransactionAction[] {
  const partitionKey = escapeKey(event.tenantId);
  const time = invertedTime();
  const doc = packDoc(event);
  const all = inNotices ? NOTICE_AUDIT_ALL : ALL;
  const actions: TransactionAction[] = [['create', { partitionKey, rowKey: all + time, ...doc }]];
  if (event.connectorId) {
    const copy = inNotices ? noticeAuditByConnector(event.connectorId) : byConnectorPrefix(event.connectorId);
    actions.push(['create', { partitionKey, rowKey: copy + time, ...doc }]);
  }
  return actions;
}

/**
 * Append-only audit log: PartitionKey = tenant; every event is one row under "a|" and, when it
 * names a connector, a copy under "c|<connector>|", written in one transaction, so both "the
 * tenant's latest" and "this connector's latest" are range reads of `limit` rows. The events of
 * sent notices are in the notices table (see {@link NOTICE_AUDIT_ALL}); a list reads both tables
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
      const reads = [latest(this.table, tenantId, prefix, limit)];
      if (this.notices) {
        const inNotices = options.connectorId
          ? noticeAuditByConnector(options.connectorId)
          : NOTICE_AUDIT_ALL;
        reads.push(latest(this.notices, tenantId, inNotices, limit));
      }
      const rows = (await Promise.all(reads)).flat();
      // The time part (after the prefix) orders rows newest first, whichever table holds them.
      rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      return rows.slice(0, limit).map((r) => r.event);
    });
  }
}

/** The first `limit` rows under `prefix` in a tenant's partition, with their time keys. */
async function latest(
  table: TableClient,
  tenantId: string,
  prefix: string,
  limit: number,
): Promise<{ time: string; event: AuditEvent }[]> {
  const filter = odata`PartitionKey eq ${escapeKey(tenantId)} and RowKey gt ${prefix} and RowKey lt ${prefixEnd(prefix)}`;
  const rows: { time: string; event: AuditEvent }[] = [];
  for await (const page of table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: limit })) {
    for (const row of page)
      rows.push({ time: (row.rowKey as string).slice(prefix.length), event: unpackDoc<AuditEvent>(row) });
    if (rows.length >= limit) break;
  }
  return rows.slice(0, limit);
}
