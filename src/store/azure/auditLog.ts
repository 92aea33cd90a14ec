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
 * Append-only audit log: PartitionKey = tenant; every event is one row under "a|" and, when it
 * names a connector, a copy under "c|<connector>|", written in one transaction, so both "the
 * tenant's latest" and "this connector's latest" are range reads of `limit` rows.
 */
export class AzureAuditLog implements AuditLog {
  constructor(private readonly table: TableClient) {}

  append(event: AuditEvent): Promise<void> {
    return guard(async () => {
      const partitionKey = escapeKey(event.tenantId);
      const time = invertedTime();
      const doc = packDoc(event);
      const actions: TransactionAction[] = [['create', { partitionKey, rowKey: ALL + time, ...doc }]];
      if (event.connectorId)
        actions.push([
          'create',
          { partitionKey, rowKey: byConnectorPrefix(event.connectorId) + time, ...doc },
        ]);
      await this.table.submitTransaction(actions);
    });
  }

  list(tenantId: string, options: { connectorId?: string; limit?: number } = {}): Promise<AuditEvent[]> {
    return guard(async () => {
      const limit = Math.min(Math.max(options.limit ?? 50, 1), 1000);
      const prefix = options.connectorId ? byConnectorPrefix(options.connectorId) : ALL;
      const filter = odata`PartitionKey eq ${escapeKey(tenantId)} and RowKey gt ${prefix} and RowKey lt ${prefixEnd(prefix)}`;
      const events: AuditEvent[] = [];
      for await (const page of this.table
        .listEntities({ queryOptions: { filter } })
        .byPage({ maxPageSize: limit })) {
        for (const row of page) events.push(unpackDoc<AuditEvent>(row));
        if (events.length >= limit) break;
      }
      return events.slice(0, limit);
    });
  }
}
