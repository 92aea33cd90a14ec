import { odata, type TableClient, type TableEntityResult } from '@azure/data-tables';
import { expiryIndexClock, type Connector } from '../../connectors/connector';
import type { ExpiringOptions, Page, TenantExpiring } from '../../connectors/ports';
import { upgradeConnector } from '../../connectors/provenance';
import { httpStatusOf } from '../../util/httpStatus';
import { ignoring, mapLimit, unlessMissing } from './errors';
import {
  dayBucket,
  decodeCursor,
  encodeCursor,
  escapeKey,
  orderedUniqueKey,
  packDoc,
  packedText,
  padMs,
} from './keys';

/** Where a connector sits in an index; undefined when the index does not hold it. */
export interface IndexKeys {
  partitionKey: string;
  rowKey: string;
}

/** Reads one connector record; undefined when it is not there. */
export type RecordReader = (tenantId: string, id: string) => Promise<{ connector: Connector } | undefined>;

/** A row that no record backs is removed by a reader only once it is this old (a writer may be mid-way). */
export const STALE_ROW_GRACE_MS = 10 * 60 * 1000;

/** How many connector records a page reads at once to check its index rows. */
const READ_CONCURRENCY = 16;

interface IndexRow {
  /** Tenant and connector id, to read the record. */
  t: string;
  i: string;
  /** When the row was written (ms), for the grace period of stale rows. */
  at: number;
  /**
   * A confirmed row's copy of the record as committed (packDoc: `doc`, then `doc1`, ... when
   * long); a pending row, and every row written before confirmation existed, has none.
   */
  doc?: string;
}

/**
 * A row as read: what {@link ConnectorIndex.byTenant} keeps of one until its tenant's turn (a
 * confirmed row's copy as its JSON text, parsed at that turn).
 */
type KeptRow = Omit<IndexRow, 'doc'> & Partial<IndexKeys> & { etag: string; copy?: string };

/** What a reader keeps of a row as the service gives it. */
function keptRow(row: TableEntityResult<Record<string, unknown>>): KeptRow {
  return {
    partitionKey: row.partitionKey as string,
    rowKey: row.rowKey as string,
    etag: row.etag,
    t: row.t as string,
    i: row.i as string,
    at: Number(row.at ?? 0),
    copy: packedText(row),
  };
}

const same = (a: IndexKeys | undefined, b: IndexKeys | undefined) =>
  a?.partitionKey === b?.partitionKey && a?.rowKey === b?.rowKey;

/**
 * A cross-tenant index of connectors in its own table: one row per connector the index holds,
 * where `keysOf` puts it, pointing at the record (tenant, id).
 *
 * The index cannot share a transaction with the record (it spans partitions), so the record is
 * the truth and the index is kept by a protocol that never hides a connector:
 * - a writer puts the new row before it commits the record (so a crash in between leaves an
 *   extra row, never a missing one) and again after (which changes its ETag, see below), then
 *   cleans up the old row;
 * - {@link cleanUp} reads the row, then the record, and deletes the row only if the record does
 *   not point there, conditionally on the ETag it read, so a row rewritten meanwhile survives;
 * - a reader checks every row against its record, skips rows the record does not back, and
 *   removes them once they are older than {@link STALE_ROW_GRACE_MS}.
 *
 * A row may also be confirmed: it then carries a copy of the record, and a reader takes that
 * copy without reading the record (on Azure a round trip per connector, most of a scan's
 * requests). A row is confirmed only by the writer whose commit made that record, with a write
 * conditional on the ETag of the pending row it put before the commit; and every writer, before
 * it commits, makes the row(s) of the record it read pending again (without a copy). So a later
 * commit of the same connector always comes after its row lost the copy, a confirmation that
 * raced with one fails on the ETag, and a crash anywhere leaves pending rows, which readers check
 * against the record as before. Rows written before confirmation existed are pending rows.
 */
export class ConnectorIndex {
  constructor(
    private readonly table: TableClient,
    readonly keysOf: (connector: Connector) => IndexKeys | undefined,
    private readonly readRecord: RecordReader,
    private readonly now: () => number = Date.now,
  ) {}

  private pendingRow(keys: IndexKeys, connector: Connector): IndexRow & IndexKeys {
    return { ...keys, t: connector.tenantId, i: connector.id, at: this.now() };
  }

  /** Writes (or rewrites, which changes its ETag) the row of a connector, pending; its ETag. */
  async put(connector: Connector): Promise<string | undefined> {
    const keys = this.keysOf(connector);
    if (!keys) return undefined;
    return (await this.table.upsertEntity(this.pendingRow(keys, connector), 'Replace')).etag;
  }

  /** The row of `connector` made pending, if it is there (a row another writer removed stays removed). */
  private async unconfirm(connector: Connector): Promise<void> {
    const keys = this.keysOf(connector);
    if (!keys) return;
    await ignoring([404], this.table.updateEntity(this.pendingRow(keys, connector), 'Replace'));
  }

  /**
   * Before a record write: the row the new record needs, pending, and the old record's row
   * pending if it is another one. Gives the new row's ETag for {@link afterWrite}.
   */
  async beforeWrite(previous: Connector | undefined, next: Connector): Promise<string | undefined> {
    const old = previous && this.keysOf(previous);
    const [etag] = await Promise.all([
      this.put(next),
      old && !same(old, this.keysOf(next)) ? this.unconfirm(previous) : undefined,
    ]);
    return etag;
  }

  /** Before deleting the record: its row pending, so a crash before {@link afterWrite} leaves no copy. */
  async beforeDelete(current: Connector): Promise<void> {
    await this.unconfirm(current);
  }

  /**
   * After a committed write: the new row confirmed with the committed record (`etag` is what
   * {@link beforeWrite} gave), or put again pending when someone changed it since; and the old
   * one gone if it moved.
   */
  async afterWrite(
    previous: Connector | undefined,
    next: Connector | undefined,
    etag?: string,
  ): Promise<void> {
    if (next) await this.confirm(next, etag);
    const old = previous && this.keysOf(previous);
    if (previous && old && !same(old, next && this.keysOf(next)))
      await this.cleanUp(previous.tenantId, previous.id, old);
  }

  private async confirm(next: Connector, etag: string | undefined): Promise<void> {
    const keys = this.keysOf(next);
    if (!keys) return;
    if (etag) {
      try {
        const row = { ...this.pendingRow(keys, next), ...packDoc(next) };
        await this.table.updateEntity(row, 'Replace', { etag });
        return;
      } catch (err) {
        // Rewritten or removed since: another writer or a clean-up came between, so only a
        // pending row is safe (a clean-up that read the record before this commit removed it).
        if (httpStatusOf(err) !== 412 && httpStatusOf(err) !== 404) throw err;
      }
    }
    await this.put(next);
  }

  /** After a write that did not happen: the row put for it, unless the record points there. */
  async afterFailedWrite(previous: Connector | undefined, next: Connector): Promise<void> {
    const wanted = this.keysOf(next);
    if (wanted && !same(wanted, previous && this.keysOf(previous)))
      await this.cleanUp(next.tenantId, next.id, wanted);
  }

  /**
   * Removes the row at `keys` unless the record (read after the row) points there. The delete is
   * conditional on the row's ETag as read, so a row a writer rewrote meanwhile survives.
   */
  async cleanUp(tenantId: string, id: string, keys: IndexKeys): Promise<void> {
    const row = await unlessMissing(this.table.getEntity<IndexRow>(keys.partitionKey, keys.rowKey));
    if (!row) return;
    const record = await this.readRecord(tenantId, id);
    if (record && same(this.keysOf(record.connector), keys)) return;
    await ignoring([404, 412], this.table.deleteEntity(keys.partitionKey, keys.rowKey, { etag: row.etag }));
  }

  /**
   * One page of the connectors whose rows match `filter(after)`, in (PartitionKey, RowKey) order,
   * each checked against its record. The cursor is the RowKey of the last row returned.
   */
  async page(
    filter: (after: string | undefined) => string,
    options: { limit: number; cursor?: string; validCursor: (rowKey: string) => boolean },
  ): Promise<Page<Connector>> {
    const { limit } = options;
    const after = decodeCursor(options.cursor, options.validCursor);
    const found: { rowKey: string; connector: Connector }[] = [];
    const pages = this.table
      .listEntities({ queryOptions: { filter: filter(after) } })
      .byPage({ maxPageSize: Math.min(1000, limit + 1) });
    for await (const page of pages) {
      // Checked as they arrive: a confirmed row's copy is the record as of this read.
      const checked = await mapLimit(page, READ_CONCURRENCY, (row) => this.check(keptRow(row), true));
      page.forEach((row, i) => {
        const connector = checked[i];
        if (connector) found.push({ rowKey: row.rowKey as string, connector });
      });
      // One more than a page tells whether there is a next one.
      if (found.length > limit) break;
    }
    const items = found.slice(0, limit);
    return {
      items: items.map((f) => f.connector),
      next: found.length > limit ? encodeCursor(items[items.length - 1].rowKey) : undefined,
    };
  }

  /**
   * The connectors whose rows match `filter`, a tenant at a time, each checked against its record
   * as {@link page} checks it. The rows are read first and only their keys kept (a few dozen bytes
   * each); a tenant's records are read when its turn comes, so the caller's heap holds one
   * tenant's connectors, not every tenant's. With `readAhead`, the records of the next tenants,
   * up to that many rows, are read while the caller handles the tenants before them: each read is
   * a round trip, and a scan whose tenants have a due connector or two each would otherwise wait
   * for them one at a time. The heap then holds about twice `readAhead` rows' connectors.
   *
   * With `maxAgeMs`, the copies of confirmed rows (see the class) are kept too, and a tenant whose
   * turn comes (with read-ahead: whose group is read) at most that long after the rows were read
   * is given from them without reading its records: they are the records as of that read. After
   * that, its records are read as without it.
   */
  async *byTenant(filter: string, options: ExpiringOptions = {}): AsyncIterable<TenantExpiring> {
    const readAhead = options.readAhead ?? 0;
    const maxAgeMs = options.maxAgeMs ?? 0;
    const byTenant = new Map<string, KeptRow[]>();
    const readAt = this.now();
    const rows = this.table.listEntities({ queryOptions: { filter } });
    for await (const row of rows) {
      const kept = keptRow(row);
      if (maxAgeMs <= 0) delete kept.copy;
      const list = byTenant.get(kept.t);
      if (list) list.push(kept);
      else byTenant.set(kept.t, [kept]);
    }
    // In the order of their partitions: consecutive tenants are then one short range of every table
    // partitioned by tenant, so a caller reading their subscriptions or snoozes together (the
    // scanner, a slice at a time) reads each of those rows once per scan, not once per slice.
    const tenants = [...byTenant.keys()]
      .map((tenantId) => ({ tenantId, key: escapeKey(tenantId) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .values();
    // The next tenants whose rows make up `readAhead` (at least one tenant), taken off the map.
    const nextGroup = (): [string, KeptRow[]][] => {
      const group: [string, KeptRow[]][] = [];
      for (let rows = 0; group.length === 0 || rows < readAhead;) {
        const next = tenants.next();
        if (next.done) break;
        const { tenantId } = next.value;
        const kept = byTenant.get(tenantId)!;
        byTenant.delete(tenantId);
        group.push([tenantId, kept]);
        rows += kept.length;
      }
      return group;
    };
    const fresh = () => this.now() - readAt <= maxAgeMs;
    let reading: Promise<TenantExpiring[]> | undefined = this.checkGroup(nextGroup(), fresh());
    try {
      while (reading) {
        const checked = await reading;
        reading = undefined;
        const after = nextGroup();
        // With read-ahead the next group is read while the caller handles this one; without, at its turn.
        if (readAhead > 0 && after.length > 0) {
          reading = this.checkGroup(after, fresh());
          // Awaited once the caller asks for the next tenant: a read failing before then is not
          // an unhandled rejection (which would end the process), it fails that request.
          reading.catch(() => undefined);
        }
        for (const tenant of checked) if (tenant.connectors.length > 0) yield tenant;
        if (readAhead === 0 && after.length > 0) reading = this.checkGroup(after, fresh());
      }
    } finally {
      // A caller that stops early leaves no read running unobserved.
      await reading?.catch(() => undefined);
    }
  }

  /**
   * The connectors of a few tenants' rows, from confirmed rows' copies when `copies`, else (and for
   * pending rows) checked against their records, READ_CONCURRENCY at a time.
   */
  private async checkGroup(group: [string, KeptRow[]][], copies: boolean): Promise<TenantExpiring[]> {
    const rows = group.flatMap(([, kept]) => kept);
    const checked = await mapLimit(rows, READ_CONCURRENCY, (row) => this.check(row, copies));
    let at = 0;
    return group.map(([tenantId, kept]) => ({
      tenantId,
      connectors: checked.slice(at, (at += kept.length)).filter((c): c is Connector => c !== undefined),
    }));
  }

  /**
   * The connector a row stands for, or undefined when its record does not point there (any
   * more): a confirmed row's copy when `copies` allows, else the record as read.
   */
  private async check(row: KeptRow, copies: boolean): Promise<Connector | undefined> {
    const keys = { partitionKey: row.partitionKey as string, rowKey: row.rowKey as string };
    if (copies && row.copy !== undefined) {
      const copy = upgradeConnector(JSON.parse(row.copy) as Connector);
      if (same(this.keysOf(copy), keys)) return copy;
    }
    const record = await this.readRecord(row.t, row.i);
    if (record && same(this.keysOf(record.connector), keys)) return record.connector;
    if (this.now() - Number(row.at ?? 0) > STALE_ROW_GRACE_MS) {
      await ignoring([404, 412], this.table.deleteEntity(keys.partitionKey, keys.rowKey, { etag: row.etag }));
    }
    return undefined;
  }
}

const EXPIRY_ROW_KEY = /^\d{15}-/;

/**
 * The expiry index: PartitionKey = the UTC day of the clock start (yyyymmdd), RowKey =
 * `${clock ms, 15 digits}-${hex tenant}-${hex id}`. The Table service returns rows in
 * (PartitionKey, RowKey) order, which is clock order with ties as SQLite's (clock_start,
 * tenant_id, id); a query for "clock <= before" reads only the day buckets up to `before`'s.
 */
export function expiryKeys(connector: Connector): IndexKeys | undefined {
  const clock = expiryIndexClock(connector);
  if (clock === undefined) return undefined;
  return {
    partitionKey: dayBucket(clock),
    rowKey: `${padMs(clock)}-${orderedUniqueKey(connector.tenantId)}-${orderedUniqueKey(connector.id)}`,
  };
}

export function listExpiring(
  index: ConnectorIndex,
  before: Date,
  options: { limit?: number; cursor?: string },
): Promise<Page<Connector>> {
  const beforeMs = before.getTime();
  const lastBucket = dayBucket(beforeMs);
  const below = padMs(beforeMs + 1);
  return index.page(
    (after) =>
      after
        ? odata`PartitionKey ge ${dayBucket(Number(after.slice(0, 15)))} and PartitionKey le ${lastBucket} and RowKey gt ${after} and RowKey lt ${below}`
        : odata`PartitionKey le ${lastBucket} and RowKey lt ${below}`,
    {
      limit: Math.min(Math.max(options.limit ?? 500, 1), 5000),
      cursor: options.cursor,
      validCursor: (rowKey) => EXPIRY_ROW_KEY.test(rowKey),
    },
  );
}

/** listExpiring's connectors a tenant at a time (see {@link ConnectorIndex.byTenant} for the options). */
export function expiringByTenant(
  index: ConnectorIndex,
  before: Date,
  options: ExpiringOptions = {},
): AsyncIterable<TenantExpiring> {
  const beforeMs = before.getTime();
  return index.byTenant(
    odata`PartitionKey le ${dayBucket(beforeMs)} and RowKey lt ${padMs(beforeMs + 1)}`,
    options,
  );
}

const AWAITING_CONSENT = 'awaiting-consent';

/**
 * The consent index: connectors awaiting admin consent, in one partition ("awaiting-consent"),
 * RowKey = `${hex tenant}-${hex id}`, so the reminder job reads them in (tenant, id) order
 * without reading any other connector.
 */
export function consentKeys(connector: Connector): IndexKeys | undefined {
  if (connector.status !== 'awaiting-consent') return undefined;
  return {
    partitionKey: AWAITING_CONSENT,
    rowKey: `${orderedUniqueKey(connector.tenantId)}-${orderedUniqueKey(connector.id)}`,
  };
}

export function listAwaitingConsent(
  index: ConnectorIndex,
  options: { limit?: number; cursor?: string },
): Promise<Page<Connector>> {
  return index.page(
    (after) =>
      after
        ? odata`PartitionKey eq ${AWAITING_CONSENT} and RowKey gt ${after}`
        : odata`PartitionKey eq ${AWAITING_CONSENT}`,
    {
      limit: Math.min(Math.max(options.limit ?? 500, 1), 5000),
      cursor: options.cursor,
      validCursor: (rowKey) => /^[0-9a-fz]+-[0-9a-fz]+$/.test(rowKey),
    },
  );
}
