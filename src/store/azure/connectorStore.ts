import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Connector } from '../../connectors/connector';
import { upgradeConnector } from '../../connectors/provenance';
import {
  ConcurrencyError,
  MAX_GET_MANY,
  type ConnectorRevision,
  type ConnectorStore,
  type ExpiringOptions,
  type Page,
  type SecretStore,
  type StoredSecret,
  type TenantExpiring,
  type WriteOptions,
} from '../../connectors/ports';
import { guard, ignoring, MAX_ATTEMPTS, settleAll, settledValues, unlessMissing } from './errors';
import { httpStatusOf } from '../../util/httpStatus';
import { nameKey } from '../names';
import {
  ConnectorIndex,
  consentKeys,
  expiringByTenant,
  expiryKeys,
  listAwaitingConsent,
  listExpiring,
} from './connectorIndex';
import {
  decodeCursor,
  encodeCursor,
  escapeKey,
  orderedKey,
  orderedUniqueKey,
  packDoc,
  prefixEnd,
  unescapeKey,
  unpackDoc,
} from './keys';

/*
 * One partition per tenant (PartitionKey = escaped tenant id) holds three kinds of rows:
 *   rec|<id>                 the record (doc = JSON; version; status)
 *   name|<hex name>-<hex id>  a copy of the record in name order, for paging `list`
 *   sec|<id>                 the sealed secrets
 * Record and name row change in one entity-group transaction conditional on the record's ETag,
 * so they never disagree; a connector and its secrets are deleted in one transaction too.
 */
export const REC = 'rec|';
const NAME = 'name|';
export const SEC = 'sec|';

const recKey = (id: string) => REC + escapeKey(id);
const secKey = (id: string) => SEC + escapeKey(id);
const nameRowKey = (c: Connector) => `${NAME}${orderedKey(nameKey(c.displayName))}-${orderedUniqueKey(c.id)}`;

type Action = TransactionAction;

/** Table storage takes at most 15 comparisons in a filter: the partition and 14 row keys. */
const ROW_KEYS_PER_QUERY = 14;

/**
 * Connector records in Azure Table storage, with two cross-tenant indexes in tables of their own:
 * expiry (live connectors by clock start) and consent (connectors awaiting consent).
 */
export class AzureConnectorStore implements ConnectorStore {
  readonly expiry: ConnectorIndex;
  readonly consent: ConnectorIndex;

  constructor(
    private readonly table: TableClient,
    expiryTable: TableClient,
    consentTable: TableClient,
  ) {
    const read = (tenantId: string, id: string) => this.read(tenantId, id);
    this.expiry = new ConnectorIndex(expiryTable, expiryKeys, read);
    this.consent = new ConnectorIndex(consentTable, consentKeys, read);
  }

  private get indexes(): ConnectorIndex[] {
    return [this.expiry, this.consent];
  }

  private entity(rowKey: string, c: Connector) {
    return {
      partitionKey: escapeKey(c.tenantId),
      rowKey,
      ...packDoc(c),
      version: c.version,
      status: c.status,
    };
  }

  /** The record and its ETag. */
  async read(tenantId: string, id: string): Promise<{ connector: Connector; etag: string } | undefined> {
    const row = await unlessMissing(this.table.getEntity(escapeKey(tenantId), recKey(id)));
    return row ? { connector: upgradeConnector(unpackDoc<Connector>(row)), etag: row.etag } : undefined;
  }

  create(connector: Connector, options: WriteOptions = {}): Promise<Connector> {
    return guard(async () => {
      const stored = { ...connector, version: 1 };
      // Index rows first: a crash after the record was written must not hide it from the scanner.
      const etags = await settledValues(this.indexes.map((index) => index.beforeWrite(undefined, stored)));
      try {
        await this.table.submitTransaction([
          ['create', this.entity(recKey(stored.id), stored)],
          ['upsert', this.entity(nameRowKey(stored), stored), 'Replace'],
          ...secretActions(stored, options),
        ]);
      } catch (err) {
        if (httpStatusOf(err) !== 409) throw err;
        await settleAll(this.indexes.map((index) => index.afterFailedWrite(undefined, stored)));
        throw new ConcurrencyError(`connector ${connector.id}`);
      }
      // Again after the commit: a concurrent clean-up may have removed the first ones.
      await settleAll(this.indexes.map((index, i) => index.afterWrite(undefined, stored, etags[i])));
      return upgradeConnector(stored);
    });
  }

  get(tenantId: string, id: string): Promise<Connector | undefined> {
    return guard(async () => (await this.read(tenantId, id))?.connector);
  }

  getMany(tenantId: string, ids: readonly string[]): Promise<Connector[]> {
    return guard(async () => {
      if (ids.length > MAX_GET_MANY) throw new RangeError(`at most ${MAX_GET_MANY} connectors at a time`);
      const unique = [...new Set(ids)];
      const chunks: string[][] = [];
      for (let i = 0; i < unique.length; i += ROW_KEYS_PER_QUERY)
        chunks.push(unique.slice(i, i + ROW_KEYS_PER_QUERY));
      // One query per chunk in the tenant's partition instead of one read per id (a card lists up to 20).
      const found = await Promise.all(chunks.map((chunk) => this.records(tenantId, chunk)));
      return found.flat();
    });
  }

  private async records(tenantId: string, ids: readonly string[]): Promise<Connector[]> {
    const rowKeys = ids.map((id) => odata`RowKey eq ${recKey(id)}`).join(' or ');
    const filter = `${odata`PartitionKey eq ${escapeKey(tenantId)}`} and (${rowKeys})`;
    const connectors: Connector[] = [];
    for await (const row of this.table.listEntities({ queryOptions: { filter } }))
      connectors.push(upgradeConnector(unpackDoc<Connector>(row)));
    return connectors;
  }

  list(tenantId: string, options: { limit?: number; cursor?: string } = {}): Promise<Page<Connector>> {
    return guard(async () => {
      const limit = Math.min(Math.max(options.limit ?? 100, 1), 500);
      const after = decodeCursor(options.cursor, (p) => p.startsWith(NAME)) ?? NAME;
      const filter = odata`PartitionKey eq ${escapeKey(tenantId)} and RowKey gt ${after} and RowKey lt ${prefixEnd(NAME)}`;
      const rows: { rowKey: string; connector: Connector }[] = [];
      const pages = this.table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: limit + 1 });
      for await (const page of pages) {
        for (const row of page)
          rows.push({ rowKey: row.rowKey as string, connector: upgradeConnector(unpackDoc<Connector>(row)) });
        if (rows.length > limit) break;
      }
      const items = rows.slice(0, limit);
      return {
        items: items.map((r) => r.connector),
        next: rows.length > limit ? encodeCursor(items[items.length - 1].rowKey) : undefined,
      };
    });
  }

  cursorAfter(connector: Connector): string {
    return encodeCursor(nameRowKey(connector));
  }

  update(connector: Connector, options: WriteOptions = {}): Promise<Connector> {
    return guard(async () => {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await this.read(connector.tenantId, connector.id);
        if (!current || current.connector.version !== connector.version) break;
        const stored = { ...connector, version: connector.version + 1 };
        const previous = current.connector;
        const etags = await settledValues(this.indexes.map((index) => index.beforeWrite(previous, stored)));

        const oldName = nameRowKey(current.connector);
        const actions: Action[] = [
          ['update', this.entity(recKey(stored.id), stored), 'Replace', { etag: current.etag }],
        ];
        if (oldName !== nameRowKey(stored))
          actions.push(['delete', { partitionKey: escapeKey(stored.tenantId), rowKey: oldName }]);
        actions.push(['upsert', this.entity(nameRowKey(stored), stored), 'Replace']);
        actions.push(...secretActions(stored, options));
        try {
          await this.table.submitTransaction(actions);
        } catch (err) {
          const status = httpStatusOf(err);
          if (status !== 412 && status !== 404) throw err;
          // Lost the race: drop index rows written for a state that did not happen, then read
          // again (a change that left the version alone is retried, a real one is reported).
          await settleAll(this.indexes.map((index) => index.afterFailedWrite(previous, stored)));
          continue;
        }
        await settleAll(this.indexes.map((index, i) => index.afterWrite(previous, stored, etags[i])));
        return upgradeConnector(stored);
      }
      throw new ConcurrencyError(`connector ${connector.id}`);
    });
  }

  delete(tenantId: string, id: string, expected?: ConnectorRevision): Promise<boolean> {
    return guard(async () => {
      const partitionKey = escapeKey(tenantId);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await this.read(tenantId, id);
        if (!current) {
          await ignoring([404], this.table.deleteEntity(partitionKey, secKey(id)));
          return false;
        }
        // Checked on the record just read: a transaction's deletes take no ETag, so a write landing
        // between this read and the commit is the one window left.
        if (expected && !isRevision(current.connector, expected)) return false;
        const secret = await unlessMissing(this.table.getEntity(partitionKey, secKey(id)));
        // Transaction deletes are unconditional, but each must find its row: a rename since the
        // read fails the whole transaction (404 on the old name row) and the loop reads again.
        const actions: Action[] = [
          ['delete', { partitionKey, rowKey: recKey(id) }],
          ['delete', { partitionKey, rowKey: nameRowKey(current.connector) }],
        ];
        if (secret) actions.push(['delete', { partitionKey, rowKey: secKey(id) }]);
        // Its index rows lose their copies first: a crash after the delete leaves rows readers check.
        await settleAll(this.indexes.map((index) => index.beforeDelete(current.connector)));
        try {
          await this.table.submitTransaction(actions);
        } catch (err) {
          const status = httpStatusOf(err);
          if (status === 412 || status === 404) continue;
          throw err;
        }
        await settleAll(this.indexes.map((index) => index.afterWrite(current.connector, undefined)));
        return true;
      }
      throw new ConcurrencyError(`connector ${id}`);
    });
  }

  listExpiring(
    clockStartBefore: Date,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<Connector>> {
    return guard(() => listExpiring(this.expiry, clockStartBefore, options));
  }

  expiringByTenant(clockStartBefore: Date, options: ExpiringOptions = {}): AsyncIterable<TenantExpiring> {
    return expiringByTenant(this.expiry, clockStartBefore, options);
  }

  listAwaitingConsent(options: { limit?: number; cursor?: string } = {}): Promise<Page<Connector>> {
    return guard(() => listAwaitingConsent(this.consent, options));
  }
}

/** A sealed secret's row, as {@link AzureSecretStore} stores it. */
function secretEntity(tenantId: string, connectorId: string, sealed: string) {
  return { partitionKey: escapeKey(tenantId), rowKey: secKey(connectorId), ...packDoc(sealed, 'sealed') };
}

/**
 * The secret's row in a record's transaction (same partition): stored with the record or not at
 * all, so a write that loses its race, or finds the connector deleted, leaves no keys behind.
 */
function secretActions(connector: Connector, options: WriteOptions): Action[] {
  return options.sealedSecret === undefined
    ? []
    : [['upsert', secretEntity(connector.tenantId, connector.id, options.sealedSecret), 'Replace']];
}

/** Sealed secrets, in the connector's partition so that deleting the connector deletes them atomically. */
export class AzureSecretStore implements SecretStore {
  constructor(private readonly table: TableClient) {}

  put(tenantId: string, connectorId: string, sealed: string): Promise<void> {
    return guard(async () => {
      await this.table.upsertEntity(secretEntity(tenantId, connectorId, sealed), 'Replace');
    });
  }

  get(tenantId: string, connectorId: string): Promise<string | undefined> {
    return guard(async () => {
      const row = await unlessMissing(this.table.getEntity(escapeKey(tenantId), secKey(connectorId)));
      return row ? unpackDoc<string>(row, 'sealed') : undefined;
    });
  }

  /** One request for one `sec|` row of any tenant; a row whose ids were hashed reads as none. */
  sample(): Promise<StoredSecret | undefined> {
    return guard(async () => {
      const filter = odata`RowKey ge ${SEC} and RowKey lt ${prefixEnd(SEC)}`;
      const pages = this.table.listEntities({ queryOptions: { filter } }).byPage({ maxPageSize: 1 });
      const { value: page } = await pages.next();
      const row = page?.[0];
      if (!row) return undefined;
      const tenantId = unescapeKey(row.partitionKey as string);
      const connectorId = unescapeKey((row.rowKey as string).slice(SEC.length));
      if (tenantId === undefined || connectorId === undefined) return undefined;
      return { tenantId, connectorId, sealed: unpackDoc<string>(row, 'sealed') };
    });
  }
}

/** Whether a stored connector is the revision a caller holds (same version, same creation). */
const isRevision = (stored: Connector, expected: ConnectorRevision): boolean =>
  stored.version === expected.version && stored.createdAt === expected.createdAt;
