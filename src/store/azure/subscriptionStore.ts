import { odata, type TableClient } from '@azure/data-tables';
import type { Subscription, SubscriptionStore } from '../../connectors/ports';
import { guard, ignoring, unlessMissing } from './errors';
import { httpStatusOf } from '../../util/httpStatus';
import { escapeKey, packDoc, unpackDoc } from './keys';

/** Byte order of UTF-8, as SQLite's ORDER BY on text. */
function byConversationId(a: Subscription, b: Subscription): number {
  return Buffer.compare(Buffer.from(a.conversationId, 'utf8'), Buffer.from(b.conversationId, 'utf8'));
}

/**
 * Subscriptions (PartitionKey = tenant, RowKey = escaped conversation id, `teamId` as a column
 * for removeByTeam) and personal opt-outs (a second table, RowKey = escaped user id).
 */
export class AzureSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly table: TableClient,
    private readonly optOuts: TableClient,
  ) {}

  private row(subscription: Subscription) {
    return {
      partitionKey: escapeKey(subscription.tenantId),
      rowKey: escapeKey(subscription.conversationId),
      ...packDoc(subscription),
      teamId: subscription.teamId ?? '',
    };
  }

  /** Create-if-absent tells new from existing; an existing one is then replaced. */
  add(subscription: Subscription): Promise<boolean> {
    return guard(async () => {
      try {
        await this.table.createEntity(this.row(subscription));
        return true;
      } catch (err) {
        if (httpStatusOf(err) !== 409) throw err;
      }
      await this.table.upsertEntity(this.row(subscription), 'Replace');
      return false;
    });
  }

  remove(tenantId: string, conversationId: string): Promise<boolean> {
    return guard(async () => {
      const removed = await ignoring(
        [404],
        this.table.deleteEntity(escapeKey(tenantId), escapeKey(conversationId)).then(() => true),
      );
      return removed ?? false;
    });
  }

  get(tenantId: string, conversationId: string): Promise<Subscription | undefined> {
    return guard(async () => {
      const row = await unlessMissing(this.table.getEntity(escapeKey(tenantId), escapeKey(conversationId)));
      return row ? unpackDoc<Subscription>(row) : undefined;
    });
  }

  listByTenant(tenantId: string): Promise<Subscription[]> {
    return guard(async () => {
      const filter = odata`PartitionKey eq ${escapeKey(tenantId)}`;
      const found: Subscription[] = [];
      for await (const row of this.table.listEntities({ queryOptions: { filter } }))
        found.push(unpackDoc<Subscription>(row));
      return found.sort(byConversationId);
    });
  }

  /** Deletes each subscription of the team; returns those this call removed. */
  removeByTeam(tenantId: string, teamId: string): Promise<Subscription[]> {
    return guard(async () => {
      const filter = odata`PartitionKey eq ${escapeKey(tenantId)} and teamId eq ${teamId}`;
      const removed: Subscription[] = [];
      for await (const row of this.table.listEntities({ queryOptions: { filter } })) {
        const gone = await ignoring(
          [404],
          this.table.deleteEntity(row.partitionKey as string, row.rowKey as string).then(() => true),
        );
        if (gone) removed.push(unpackDoc<Subscription>(row));
      }
      return removed;
    });
  }

  setPersonalOptOut(tenantId: string, userId: string, optedOut: boolean): Promise<void> {
    return guard(async () => {
      const partitionKey = escapeKey(tenantId);
      const rowKey = escapeKey(userId);
      if (optedOut) await this.optOuts.upsertEntity({ partitionKey, rowKey, userId }, 'Replace');
      else await ignoring([404], this.optOuts.deleteEntity(partitionKey, rowKey));
    });
  }

  isPersonalOptOut(tenantId: string, userId: string): Promise<boolean> {
    return guard(
      async () => !!(await unlessMissing(this.optOuts.getEntity(escapeKey(tenantId), escapeKey(userId)))),
    );
  }
}
