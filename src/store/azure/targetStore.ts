import { odata, type TableClient } from '@azure/data-tables';
import type { TargetConnection, TargetStore } from '../../connectors/ports';
import { guard, ignoring, unlessMissing } from './errors';
import { escapeKey, packDoc, unpackDoc } from './keys';

/** Most targets `list` returns, as in the SQLite adapter. */
const MAX_LISTED = 100;

/** Byte order of UTF-8, as SQLite's ORDER BY on text. */
function byId(a: TargetConnection, b: TargetConnection): number {
  return Buffer.compare(Buffer.from(a.id, 'utf8'), Buffer.from(b.id, 'utf8'));
}

/** Defined target connections: PartitionKey = tenant, RowKey = escaped id, doc = JSON. */
export class AzureTargetStore implements TargetStore {
  constructor(private readonly table: TableClient) {}

  put(target: TargetConnection): Promise<void> {
    return guard(async () => {
      await this.table.upsertEntity(
        { partitionKey: escapeKey(target.tenantId), rowKey: escapeKey(target.id), ...packDoc(target) },
        'Replace',
      );
    });
  }

  get(tenantId: string, id: string): Promise<TargetConnection | undefined> {
    return guard(async () => {
      const row = await unlessMissing(this.table.getEntity(escapeKey(tenantId), escapeKey(id)));
      return row ? unpackDoc<TargetConnection>(row) : undefined;
    });
  }

  /** A tenant has a handful: its partition is read whole and sorted by id. */
  list(tenantId: string): Promise<TargetConnection[]> {
    return guard(async () => {
      const found: TargetConnection[] = [];
      const filter = odata`PartitionKey eq ${escapeKey(tenantId)}`;
      for await (const row of this.table.listEntities({ queryOptions: { filter } }))
        found.push(unpackDoc<TargetConnection>(row));
      return found.sort(byId).slice(0, MAX_LISTED);
    });
  }

  remove(tenantId: string, id: string): Promise<boolean> {
    return guard(async () => {
      const removed = await ignoring(
        [404],
        this.table.deleteEntity(escapeKey(tenantId), escapeKey(id)).then(() => true),
      );
      return removed ?? false;
    });
  }
}
