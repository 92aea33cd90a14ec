import { odata, type TableClient } from '@azure/data-tables';
import type { ConversationRecord, ConversationStore } from '../../connectors/ports';
import { guard, ignoring, MAX_ATTEMPTS, unlessMissing } from './errors';
import { httpStatusOf } from '../../util/httpStatus';
import { escapeKey } from './keys';

interface Row {
  tenantId: string;
  conversationId: string;
  conversationType: ConversationRecord['conversationType'];
  reference: string;
  /** "" when not welcomed: a Merge cannot remove a property. */
  welcomedAt?: string;
  userId?: string;
  updatedAt: string;
}

function toRecord(row: Row): ConversationRecord {
  return {
    tenantId: row.tenantId,
    conversationId: row.conversationId,
    conversationType: row.conversationType,
    reference: JSON.parse(row.reference),
    welcomedAt: row.welcomedAt || undefined,
    userId: row.userId || undefined,
    updatedAt: row.updatedAt,
  };
}

/**
 * Conversation references: PartitionKey = tenant, RowKey = the escaped conversation id (Teams ids
 * hold ":" "@" ";" and may hold "/" or "#", which Table keys refuse).
 */
export class AzureConversationStore implements ConversationStore {
  constructor(private readonly table: TableClient) {}

  upsert(record: Omit<ConversationRecord, 'welcomedAt'>): Promise<void> {
    return guard(async () => {
      // Merge keeps welcomedAt, and userId when this write has none.
      const row: Record<string, unknown> = {
        partitionKey: escapeKey(record.tenantId),
        rowKey: escapeKey(record.conversationId),
        tenantId: record.tenantId,
        conversationId: record.conversationId,
        conversationType: record.conversationType,
        reference: JSON.stringify(record.reference),
        updatedAt: record.updatedAt,
      };
      if (record.userId) row.userId = record.userId;
      await this.table.upsertEntity(row as { partitionKey: string; rowKey: string }, 'Merge');
    });
  }

  get(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    return guard(async () => {
      const row = await unlessMissing(
        this.table.getEntity<Row>(escapeKey(tenantId), escapeKey(conversationId)),
      );
      return row ? toRecord(row) : undefined;
    });
  }

  /** Read, then a Merge conditional on the ETag read: of many callers exactly one succeeds. */
  claimWelcome(tenantId: string, conversationId: string, at: string): Promise<boolean> {
    return guard(async () => {
      const partitionKey = escapeKey(tenantId);
      const rowKey = escapeKey(conversationId);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const row = await unlessMissing(this.table.getEntity<Row>(partitionKey, rowKey));
        if (!row || row.welcomedAt) return false;
        try {
          await this.table.updateEntity({ partitionKey, rowKey, welcomedAt: at }, 'Merge', {
            etag: row.etag,
          });
          return true;
        } catch (err) {
          // The row changed since it was read (another claim, or a refreshed reference): look again.
          if (httpStatusOf(err) !== 412 && httpStatusOf(err) !== 404) throw err;
        }
      }
      return false;
    });
  }

  releaseWelcome(tenantId: string, conversationId: string): Promise<void> {
    return guard(async () => {
      await ignoring(
        [404],
        this.table.updateEntity(
          { partitionKey: escapeKey(tenantId), rowKey: escapeKey(conversationId), welcomedAt: '' },
          'Merge',
          { etag: '*' },
        ),
      );
    });
  }

  remove(tenantId: string, conversationId: string): Promise<void> {
    return guard(async () => {
      await ignoring([404], this.table.deleteEntity(escapeKey(tenantId), escapeKey(conversationId)));
    });
  }

  findPersonal(tenantId: string, userId: string): Promise<ConversationRecord | undefined> {
    return guard(async () => {
      const filter = odata`PartitionKey eq ${escapeKey(tenantId)} and userId eq ${userId} and conversationType eq 'personal'`;
      let latest: Row | undefined;
      for await (const row of this.table.listEntities<Row>({ queryOptions: { filter } })) {
        if (!latest || row.updatedAt > latest.updatedAt) latest = row;
      }
      return latest ? toRecord(latest) : undefined;
    });
  }
}
