import { odata, type TableClient } from '@azure/data-tables';
import type { NoticeKey, NoticeLedger, NoticeState } from '../../connectors/ports';
import { guard, ignoring, MAX_ATTEMPTS, unlessMissing } from './errors';
import { httpStatusOf } from '../../util/httpStatus';
import { escapeKey } from './keys';

interface NoticeRow {
  state: 'claimed' | 'sent' | 'released';
  claimant: string;
  claimedAt: number;
  sentAt?: number;
}

/** PartitionKey = tenant; RowKey = connector|period start|threshold|target, each part escaped. */
function keysOf(key: NoticeKey) {
  return {
    partitionKey: escapeKey(key.tenantId),
    rowKey: [key.connectorId, key.periodStart, String(key.threshold), key.target].map(escapeKey).join('|'),
  };
}

function snoozeKeysOf(key: Omit<NoticeKey, 'target'>) {
  return {
    partitionKey: escapeKey(key.tenantId),
    rowKey: [key.connectorId, key.periodStart, String(key.threshold)].map(escapeKey).join('|'),
  };
}

/**
 * The notice ledger in Azure Table storage. A claim is a create-if-absent; taking over an expired
 * or released claim, marking it sent and releasing it are updates conditional on the ETag read,
 * so two replicas can never both hold a notice and a lost race is decided again from a fresh read.
 */
export class AzureNoticeLedger implements NoticeLedger {
  constructor(
    private readonly table: TableClient,
    private readonly snoozes: TableClient,
  ) {}

  claim(key: NoticeKey, claimant: string, now: Date, leaseMs: number): Promise<boolean> {
    return guard(async () => {
      const keys = keysOf(key);
      const at = now.getTime();
      const claimed = { ...keys, state: 'claimed', claimant, claimedAt: at };
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        try {
          await this.table.createEntity(claimed);
          return true;
        } catch (err) {
          if (httpStatusOf(err) !== 409) throw err;
        }
        const row = await unlessMissing(this.table.getEntity<NoticeRow>(keys.partitionKey, keys.rowKey));
        if (!row) continue;
        const free = row.state === 'released' || (row.state === 'claimed' && row.claimedAt <= at - leaseMs);
        if (!free) return false;
        try {
          await this.table.updateEntity(claimed, 'Replace', { etag: row.etag });
          return true;
        } catch (err) {
          // Someone else changed it first: decide again from what is there now.
          if (httpStatusOf(err) !== 412 && httpStatusOf(err) !== 404) throw err;
        }
      }
      return false;
    });
  }

  /** Applies `change` if the row is still the claimant's (and `when` holds), retrying lost races. */
  private async transition(
    key: NoticeKey,
    claimant: string,
    when: (row: NoticeRow) => boolean,
    change: Partial<NoticeRow>,
  ): Promise<void> {
    const keys = keysOf(key);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const row = await unlessMissing(this.table.getEntity<NoticeRow>(keys.partitionKey, keys.rowKey));
      if (!row || row.claimant !== claimant || !when(row)) return;
      try {
        await this.table.updateEntity({ ...keys, ...change }, 'Merge', { etag: row.etag });
        return;
      } catch (err) {
        if (httpStatusOf(err) !== 412 && httpStatusOf(err) !== 404) throw err;
      }
    }
  }

  markSent(key: NoticeKey, claimant: string, now: Date): Promise<void> {
    return guard(() => this.transition(key, claimant, () => true, { state: 'sent', sentAt: now.getTime() }));
  }

  release(key: NoticeKey, claimant: string): Promise<void> {
    return guard(() =>
      this.transition(key, claimant, (row) => row.state === 'claimed', { state: 'released' }),
    );
  }

  snooze(key: Omit<NoticeKey, 'target'>, now: Date): Promise<void> {
    return guard(async () => {
      await ignoring([409], this.snoozes.createEntity({ ...snoozeKeysOf(key), at: now.getTime() }));
    });
  }

  isSnoozed(key: Omit<NoticeKey, 'target'>): Promise<boolean> {
    return guard(async () => {
      const { partitionKey, rowKey } = snoozeKeysOf(key);
      return !!(await unlessMissing(this.snoozes.getEntity(partitionKey, rowKey)));
    });
  }

  state(key: NoticeKey): Promise<NoticeState | undefined> {
    return guard(async () => {
      const { partitionKey, rowKey } = keysOf(key);
      const row = await unlessMissing(this.table.getEntity<NoticeRow>(partitionKey, rowKey));
      if (!row) return undefined;
      return row.state === 'sent' ? 'sent' : row.state === 'claimed' ? 'claimed' : undefined;
    });
  }

  /** Reads the state column of every tenant's notices: for tests and benchmarks, not the bot. */
  countSent(): Promise<number> {
    return guard(async () => {
      let count = 0;
      const rows = this.table.listEntities({
        queryOptions: { filter: odata`state eq ${'sent'}`, select: ['PartitionKey'] },
      });
      for await (const page of rows.byPage({ maxPageSize: 1000 })) count += page.length;
      return count;
    });
  }
}
