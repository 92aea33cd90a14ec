import type Database from 'better-sqlite3';
import { expiryIndexClock, type Connector } from '../../connectors/connector';
import { upgradeConnector } from '../../connectors/provenance';
import {
  ConcurrencyError,
  MAX_GET_MANY,
  type ConnectorRevision,
  type ConnectorStore,
  type Page,
  type TenantExpiring,
  type WriteOptions,
} from '../../connectors/ports';
import { putSealedSecret } from './secretStore';
import { BoundedMap } from '../../util/boundedMap';
import { nameKey } from '../names';

const MAX_PAGE = 500;

/** Pages of the name order kept while no connector is written (see SqliteConnectorStore.pageRows). */
export const PAGES_KEPT = 16;

/** A row of a page in name order: its stored sort key and the record as stored. */
interface PageRow {
  k: string;
  doc: string;
}

/** The clock_start column: {@link expiryIndexClock}, NULL outside the index. */
function indexedClock(connector: Connector): number | null {
  return expiryIndexClock(connector) ?? null;
}

/** A stored document as a record; rows of older versions are upgraded on read. */
function parseConnector(doc: string): Connector {
  return upgradeConnector(JSON.parse(doc) as Connector);
}

function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return [value[0], value[1]];
    }
  } catch {
    // A cursor that does not decode is treated as no cursor: the caller gets the first page.
  }
  return undefined;
}

function decodeExpiryCursor(cursor: string): [number, string, string] | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      typeof value[0] === 'number' &&
      typeof value[1] === 'string' &&
      typeof value[2] === 'string'
    ) {
      return [value[0], value[1], value[2]];
    }
  } catch {
    // An unreadable cursor restarts from the beginning; the ledger keeps notices once-only anyway.
  }
  return undefined;
}

/** Connector records in SQLite; the clock_start column feeds the expiry scanner's index. */
export class SqliteConnectorStore implements ConnectorStore {
  /**
   * The rows of the last pages read in name order, kept while no connector has been written
   * since: by this store (every write forgets them; nothing else writes the connectors table)
   * or by another connection to the file (SQLite's `data_version` then moves).
   */
  private pages = new BoundedMap<string, PageRow[]>(PAGES_KEPT);
  private pagesVersion: number | undefined;

  constructor(private readonly db: Database.Database) {}

  /** Forgets the kept pages before a write: the next read of a page reads the table again. */
  private forgetPages(): void {
    if (this.pages.size > 0) this.pages = new BoundedMap(PAGES_KEPT);
  }

  /**
   * A page of a tenant's rows in name order, read from the table unless it was read since the
   * last write of any connector. Inside a transaction the table is always read: what it holds
   * then may yet be rolled back, which moves no `data_version`.
   */
  private pageRows(tenantId: string, after: [string, string] | undefined, limit: number): PageRow[] {
    if (this.db.inTransaction) return this.readPage(tenantId, after, limit);
    const version = this.db.prepare('PRAGMA data_version').pluck().get() as number;
    if (version !== this.pagesVersion) {
      this.forgetPages();
      this.pagesVersion = version;
    }
    const key = JSON.stringify([tenantId, limit, after ?? null]);
    let rows = this.pages.get(key);
    if (!rows) this.pages.set(key, (rows = this.readPage(tenantId, after, limit)));
    return rows;
  }

  private readPage(tenantId: string, after: [string, string] | undefined, limit: number): PageRow[] {
    return (
      after
        ? this.db
            .prepare(
              `SELECT display_name_key AS k, doc FROM connectors WHERE tenant_id = ? AND (display_name_key, id) > (?, ?)
               ORDER BY display_name_key, id LIMIT ?`,
            )
            .all(tenantId, after[0], after[1], limit)
        : this.db
            .prepare(
              'SELECT display_name_key AS k, doc FROM connectors WHERE tenant_id = ? ORDER BY display_name_key, id LIMIT ?',
            )
            .all(tenantId, limit)
    ) as PageRow[];
  }

  async create(connector: Connector, options: WriteOptions = {}): Promise<Connector> {
    this.forgetPages();
    const stored = { ...connector, version: 1 };
    // One transaction with the sealed secret: a clash stores neither (and overwrites no one's keys).
    this.db.transaction(() => {
      const result = this.db
        .prepare(
          `INSERT INTO connectors (tenant_id, id, display_name_key, clock_start, status, version, doc)
           VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING`,
        )
        .run(
          stored.tenantId,
          stored.id,
          nameKey(stored.displayName),
          indexedClock(stored),
          stored.status,
          JSON.stringify(stored),
        );
      if (result.changes !== 1) throw new ConcurrencyError(`connector ${connector.id}`);
      if (options.sealedSecret !== undefined)
        putSealedSecret(this.db, stored.tenantId, stored.id, options.sealedSecret);
    })();
    return upgradeConnector(stored);
  }

  async get(tenantId: string, id: string): Promise<Connector | undefined> {
    const row = this.db
      .prepare('SELECT doc FROM connectors WHERE tenant_id = ? AND id = ?')
      .get(tenantId, id) as { doc: string } | undefined;
    return row ? parseConnector(row.doc) : undefined;
  }

  async getMany(tenantId: string, ids: readonly string[]): Promise<Connector[]> {
    if (ids.length > MAX_GET_MANY) throw new RangeError(`at most ${MAX_GET_MANY} connectors at a time`);
    if (ids.length === 0) return [];
    // One statement for any number of ids: the ids travel as one JSON array, each a primary-key lookup.
    const rows = this.db
      .prepare('SELECT doc FROM connectors WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))')
      .all(tenantId, JSON.stringify(ids)) as { doc: string }[];
    return rows.map((r) => parseConnector(r.doc));
  }

  async list(tenantId: string, options: { limit?: number; cursor?: string } = {}): Promise<Page<Connector>> {
    const limit = Math.min(Math.max(options.limit ?? 100, 1), MAX_PAGE);
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    const rows = this.pageRows(tenantId, after, limit + 1);
    const page = rows.slice(0, limit);
    const items = page.map((r) => parseConnector(r.doc));
    const last = page[page.length - 1];
    // The cursor carries the stored sort key, the one the next page's query compares with.
    return {
      items,
      next: rows.length > limit && last ? encodeCursor(last.k, items[items.length - 1].id) : undefined,
    };
  }

  cursorAfter(connector: Connector): string {
    // The stored sort key is nameKey of the name, as create and update write it.
    return encodeCursor(nameKey(connector.displayName), connector.id);
  }

  async update(connector: Connector, options: WriteOptions = {}): Promise<Connector> {
    this.forgetPages();
    const stored = { ...connector, version: connector.version + 1 };
    const write = () => {
      const result = this.db
        .prepare(
          `UPDATE connectors SET display_name_key = ?, clock_start = ?, status = ?, version = ?, doc = ?
           WHERE tenant_id = ? AND id = ? AND version = ?`,
        )
        .run(
          nameKey(stored.displayName),
          indexedClock(stored),
          stored.status,
          stored.version,
          JSON.stringify(stored),
          connector.tenantId,
          connector.id,
          connector.version,
        );
      if (result.changes !== 1) throw new ConcurrencyError(`connector ${connector.id}`);
      if (options.sealedSecret !== undefined)
        putSealedSecret(this.db, stored.tenantId, stored.id, options.sealedSecret);
    };
    // With a secret, one transaction: a lost race, or a connector deleted meanwhile, stores neither.
    if (options.sealedSecret === undefined) write();
    else this.db.transaction(write)();
    return upgradeConnector(stored);
  }

  async listExpiring(
    clockStartBefore: Date,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<Connector>> {
    const limit = Math.min(Math.max(options.limit ?? 500, 1), 5000);
    const after = options.cursor ? decodeExpiryCursor(options.cursor) : undefined;
    // Row-value order on (clock_start, tenant_id, id) walks the partial index without sorting.
    const rows = (
      after
        ? this.db
            .prepare(
              `SELECT clock_start AS c, tenant_id AS t, id, doc FROM connectors
               WHERE clock_start IS NOT NULL AND clock_start <= ? AND (clock_start, tenant_id, id) > (?, ?, ?)
               ORDER BY clock_start, tenant_id, id LIMIT ?`,
            )
            .all(clockStartBefore.getTime(), after[0], after[1], after[2], limit + 1)
        : this.db
            .prepare(
              `SELECT clock_start AS c, tenant_id AS t, id, doc FROM connectors
               WHERE clock_start IS NOT NULL AND clock_start <= ?
               ORDER BY clock_start, tenant_id, id LIMIT ?`,
            )
            .all(clockStartBefore.getTime(), limit + 1)
    ) as { c: number; t: string; id: string; doc: string }[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => parseConnector(r.doc)),
      next:
        rows.length > limit && last
          ? Buffer.from(JSON.stringify([last.c, last.t, last.id])).toString('base64url')
          : undefined,
    };
  }

  async *expiringByTenant(clockStartBefore: Date): AsyncIterable<TenantExpiring> {
    const before = clockStartBefore.getTime();
    // The tenants come from the clock index's due entries alone (no record is read); then each
    // tenant's records through the (tenant, clock) index.
    const tenants = this.db
      .prepare(
        `SELECT DISTINCT tenant_id AS t FROM connectors INDEXED BY connectors_by_clock
         WHERE clock_start IS NOT NULL AND clock_start <= ? ORDER BY tenant_id`,
      )
      .all(before) as { t: string }[];
    for (const { t: tenantId } of tenants) {
      const rows = this.db
        .prepare(
          `SELECT doc FROM connectors INDEXED BY connectors_by_tenant_clock
           WHERE tenant_id = ? AND clock_start IS NOT NULL AND clock_start <= ? ORDER BY clock_start, id`,
        )
        .all(tenantId, before) as { doc: string }[];
      // A tenant whose last due connector changed since the tenants were read has nothing to give.
      if (rows.length > 0) yield { tenantId, connectors: rows.map((r) => parseConnector(r.doc)) };
    }
  }

  async listAwaitingConsent(options: { limit?: number; cursor?: string } = {}): Promise<Page<Connector>> {
    const limit = Math.min(Math.max(options.limit ?? 500, 1), 5000);
    const after = options.cursor ? decodeCursor(options.cursor) : undefined;
    // The partial index holds only connectors awaiting consent, so this never reads the rest.
    const rows = (
      after
        ? this.db
            .prepare(
              `SELECT tenant_id AS t, id, doc FROM connectors WHERE status = 'awaiting-consent' AND (tenant_id, id) > (?, ?)
               ORDER BY tenant_id, id LIMIT ?`,
            )
            .all(after[0], after[1], limit + 1)
        : this.db
            .prepare(
              `SELECT tenant_id AS t, id, doc FROM connectors WHERE status = 'awaiting-consent' ORDER BY tenant_id, id LIMIT ?`,
            )
            .all(limit + 1)
    ) as { t: string; id: string; doc: string }[];
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => parseConnector(r.doc)),
      next: rows.length > limit && last ? encodeCursor(last.t, last.id) : undefined,
    };
  }

  async delete(tenantId: string, id: string, expected?: ConnectorRevision): Promise<boolean> {
    this.forgetPages();
    const remove = this.db.transaction(() => {
      const deleted = expected
        ? this.db
            .prepare(
              "DELETE FROM connectors WHERE tenant_id = ? AND id = ? AND version = ? AND json_extract(doc, '$.createdAt') = ?",
            )
            .run(tenantId, id, expected.version, expected.createdAt).changes
        : this.db.prepare('DELETE FROM connectors WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes;
      // A record kept (not the expected one) keeps its secrets; one already gone leaves none behind.
      if (
        deleted === 1 ||
        !this.db.prepare('SELECT 1 FROM connectors WHERE tenant_id = ? AND id = ?').get(tenantId, id)
      ) {
        this.db
          .prepare('DELETE FROM connector_secrets WHERE tenant_id = ? AND connector_id = ?')
          .run(tenantId, id);
      }
      return deleted;
    });
    return remove.immediate() === 1;
  }
}
