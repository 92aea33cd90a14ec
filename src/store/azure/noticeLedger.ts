import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { AuditEvent, NoticeKey, NoticeLedger, NoticeState, SentNotice } from '../../connectors/ports';
import { noticeAuditActions } from './auditLog';
import { guard, ignoring, mapLimit, MAX_ATTEMPTS, unlessMissing } from './errors';
import { httpStatusOf } from '../../util/httpStatus';
import { escapeKey } from './keys';
import { readPartitions } from './partitions';
import { LEDGER_PARTITIONS, ledgerPartition } from './ledgerKeys';
import { chunks } from '../../util/chunks';

/** Operations in one entity-group transaction (the Table service's most). */
const MAX_BATCH = 100;
/** Claims whose ETag is remembered; past this the oldest are forgotten (and read again if marked). */
const MAX_REMEMBERED = 10_000;

interface NoticeRow {
  state: 'claimed' | 'sent' | 'released';
  claimant: string;
  claimedAt: number;
  sentAt?: number;
}

/**
 * PartitionKey = the tenant's ledger partition (see ledgerKeys.ts); RowKey = tenant|connector|
 * period start|threshold|target, each part escaped.
 */
function keysOf(key: NoticeKey) {
  const tenant = escapeKey(key.tenantId);
  return {
    partitionKey: ledgerPartition(tenant),
    rowKey: [tenant, key.connectorId, key.periodStart, String(key.threshold), key.target]
      .map((part, i) => (i === 0 ? part : escapeKey(part)))
      .join('|'),
  };
}

function snoozeKeysOf(key: Omit<NoticeKey, 'target'>) {
  return {
    partitionKey: escapeKey(key.tenantId),
    rowKey: [key.connectorId, key.periodStart, String(key.threshold)].map(escapeKey).join('|'),
  };
}

interface Keys {
  partitionKey: string;
  rowKey: string;
}

/** A notice to mark sent with its audit event, and the ETag of its claim when this process knows it. */
interface Marked {
  keys: Keys;
  etag?: string;
  /** False for a notice given again in the same call: its event is written, its row changed once. */
  mark: boolean;
  audit: AuditEvent;
}

/** Notices marked at once, each on its own, when their claims' ETags are not known. */
const WRITE_CONCURRENCY = 8;

const idOf = (keys: Keys) => `${keys.partitionKey}/${keys.rowKey}`;

/** Items grouped by ledger partition, in groups of at most `size` (one transaction). */
function byPartition<T extends { keys: Keys }>(items: readonly T[], size = MAX_BATCH): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(item.keys.partitionKey) ?? [];
    group.push(item);
    groups.set(item.keys.partitionKey, group);
  }
  return [...groups.values()].flatMap((group) => chunks(group, size));
}

/**
 * The notice ledger in Azure Table storage. A claim is a create-if-absent; taking over an expired
 * or released claim, marking it sent and releasing it are updates conditional on an ETag, so two
 * replicas can never both hold a notice and a lost race is decided again from a fresh read. The
 * ETag a claim got back is kept, so marking or releasing it needs no read unless someone else
 * changed the row meanwhile (then the update fails on the ETag and the row is read).
 */
export class AzureNoticeLedger implements NoticeLedger {
  /** Claims this process made, by row: the claimant and the ETag the claim got back. */
  private readonly claimed = new Map<string, { claimant: string; etag: string }>();

  constructor(
    private readonly table: TableClient,
    private readonly snoozes: TableClient,
  ) {}

  private remember(keys: Keys, claimant: string, etag: string | undefined): void {
    if (!etag) return;
    this.claimed.set(idOf(keys), { claimant, etag });
    if (this.claimed.size > MAX_REMEMBERED) this.claimed.delete(this.claimed.keys().next().value!);
  }

  /** The ETag of this claimant's claim of the row, if this process made it; forgotten either way. */
  private takeClaim(keys: Keys, claimant: string): string | undefined {
    const known = this.claimed.get(idOf(keys));
    if (known?.claimant !== claimant) return undefined;
    this.claimed.delete(idOf(keys));
    return known.etag;
  }

  claim(key: NoticeKey, claimant: string, now: Date, leaseMs: number): Promise<boolean> {
    return guard(async () => {
      const keys = keysOf(key);
      const at = now.getTime();
      const claimed = { ...keys, state: 'claimed', claimant, claimedAt: at };
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        try {
          this.remember(keys, claimant, (await this.table.createEntity(claimed)).etag);
          return true;
        } catch (err) {
          if (httpStatusOf(err) !== 409) throw err;
        }
        const row = await unlessMissing(this.table.getEntity<NoticeRow>(keys.partitionKey, keys.rowKey));
        if (!row) continue;
        const free = row.state === 'released' || (row.state === 'claimed' && row.claimedAt <= at - leaseMs);
        if (!free) return false;
        try {
          this.remember(
            keys,
            claimant,
            (await this.table.updateEntity(claimed, 'Replace', { etag: row.etag })).etag,
          );
          return true;
        } catch (err) {
          // Someone else changed it first: decide again from what is there now.
          if (httpStatusOf(err) !== 412 && httpStatusOf(err) !== 404) throw err;
        }
      }
      return false;
    });
  }

  /**
   * Claims several notices, of any tenants: the rows of one ledger partition created in
   * transactions of up to 100 (all or none), and where one of them exists already, each of that
   * transaction claimed on its own as {@link claim} does.
   */
  claimAll(keys: readonly NoticeKey[], claimant: string, now: Date, leaseMs: number): Promise<boolean[]> {
    return guard(async () => {
      const answers: boolean[] = new Array<boolean>(keys.length).fill(false);
      // A notice asked for twice (two callers' requests written together) is claimed once, for the first.
      const seen = new Set<string>();
      const wanted = keys
        .map((key, index) => ({ keys: keysOf(key), key, index }))
        .filter((item) => !seen.has(idOf(item.keys)) && !!seen.add(idOf(item.keys)));
      const groups = byPartition(wanted);
      await mapLimit(groups, LEDGER_PARTITIONS, async (group) => {
        const rows = group.map((item) => ({
          ...item.keys,
          state: 'claimed',
          claimant,
          claimedAt: now.getTime(),
        }));
        if (rows.length > 1) {
          try {
            const result = await this.table.submitTransaction(rows.map((row) => ['create', row]));
            rows.forEach((row, i) => this.remember(row, claimant, result.subResponses[i]?.etag));
            for (const item of group) answers[item.index] = true;
            return;
          } catch (err) {
            // One of them is there already (claimed, sent or released): each is decided alone.
            if (httpStatusOf(err) !== 409) throw err;
          }
        }
        for (const item of group) answers[item.index] = await this.claim(item.key, claimant, now, leaseMs);
      });
      return answers;
    });
  }

  /**
   * Marks notices sent, of any tenants, with the ETags their claims got back, and writes their
   * audit events in the same transactions: a notice and its event share the tenant's ledger
   * partition, and a transaction holds up to 33 notices of a partition (three rows each). A
   * notice whose row changed since (its claim was taken over) is marked, if still this
   * claimant's, after a fresh read, and its event written all the same (the message went out).
   */
  markAllSent(sent: readonly SentNotice[], claimant: string, now: Date): Promise<void> {
    return guard(async () => {
      const change = { state: 'sent' as const, sentAt: now.getTime() };
      const marked = new Set<string>();
      const marks: Marked[] = sent.map(({ key, audit }) => {
        const keys = keysOf(key);
        // A notice given twice is marked once (one row cannot change twice in a transaction).
        const first = !marked.has(idOf(keys));
        marked.add(idOf(keys));
        return { keys, etag: first ? this.takeClaim(keys, claimant) : undefined, mark: first, audit };
      });
      const groups = byPartition(marks, Math.floor(MAX_BATCH / 3));
      const fallback: Keys[] = [];
      await mapLimit(groups, LEDGER_PARTITIONS, async (group) => {
        // An event in another tenant's partition than its notice (none the scanner writes) goes alone.
        const together = (m: Marked) => ledgerPartition(escapeKey(m.audit.tenantId)) === m.keys.partitionKey;
        const apart = group.filter((m) => !together(m));
        const actions = (withMarks: boolean): TransactionAction[] =>
          group
            .filter(together)
            .flatMap(({ keys, etag, audit }) => [
              ...(withMarks && etag
                ? [['update', { ...keys, ...change }, 'Merge', { etag }] as TransactionAction]
                : []),
              ...noticeAuditActions(audit),
            ]);
        if (apart.length < group.length) {
          try {
            await this.table.submitTransaction(actions(true));
            fallback.push(...group.filter((m) => together(m) && m.mark && !m.etag).map((m) => m.keys));
          } catch (err) {
            const status = httpStatusOf(err);
            if (status !== 412 && status !== 404) throw err;
            await this.table.submitTransaction(actions(false));
            fallback.push(...group.filter((m) => together(m) && m.mark).map((m) => m.keys));
          }
        }
        for (const m of apart) await this.table.submitTransaction(noticeAuditActions(m.audit));
        fallback.push(...apart.filter((m) => m.mark).map((m) => m.keys));
      });
      await mapLimit(fallback, WRITE_CONCURRENCY, (keys) =>
        this.transitionAt(keys, claimant, () => true, change),
      );
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
    const etag = this.takeClaim(keys, claimant);
    if (etag) {
      // Unchanged since this process claimed it: still this claimant's, still claimed.
      try {
        await this.table.updateEntity({ ...keys, ...change }, 'Merge', { etag });
        return;
      } catch (err) {
        if (httpStatusOf(err) !== 412 && httpStatusOf(err) !== 404) throw err;
      }
    }
    await this.transitionAt(keys, claimant, when, change);
  }

  private async transitionAt(
    keys: Keys,
    claimant: string,
    when: (row: NoticeRow) => boolean,
    change: Partial<NoticeRow>,
  ): Promise<void> {
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

  snooze(key: Omit<NoticeKey, 'target'>, now: Date): Promise<boolean> {
    return guard(async () => {
      const created = await ignoring(
        [409],
        this.snoozes.createEntity({ ...snoozeKeysOf(key), at: now.getTime() }),
      );
      // A 409 is the snooze someone recorded first.
      return created !== undefined;
    });
  }

  /** The snoozes of every tenant among `keys`, read together (see readPartitions). */
  areSnoozed(keys: readonly Omit<NoticeKey, 'target'>[]): Promise<boolean[]> {
    return guard(async () => {
      const wanted = keys.map(snoozeKeysOf);
      const rows = await readPartitions(
        this.snoozes,
        wanted.map((k) => k.partitionKey),
        ['PartitionKey', 'RowKey'],
      );
      const snoozed = new Set<string>();
      for (const list of rows.values()) for (const row of list) snoozed.add(idOf(row as Keys));
      return wanted.map((k) => snoozed.has(idOf(k)));
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
