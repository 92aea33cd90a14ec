import type Database from 'better-sqlite3';
import type { ConsentRequest, ConsentRequestState } from '../../connectors/consentRequest';
import { ConcurrencyError, type ConsentRequestStore, type Page } from '../../connectors/ports';

const MAX_PAGE = 500;

/** Consent requests in SQLite: one JSON document per (tenant, id), state and time beside it for the lists. */
export class SqliteConsentRequestStore implements ConsentRequestStore {
  constructor(private readonly db: Database.Database) {}

  async create(request: ConsentRequest): Promise<ConsentRequest> {
    const stored = { ...request, version: 1 };
    const result = this.db
      .prepare(
        `INSERT INTO consent_requests (tenant_id, id, connector_id, state, created_at, version, doc)
         VALUES (?, ?, ?, ?, ?, 1, ?) ON CONFLICT DO NOTHING`,
      )
      .run(
        stored.tenantId,
        stored.id,
        stored.connectorId,
        stored.state,
        stored.createdAt,
        JSON.stringify(stored),
      );
    if (result.changes !== 1) throw new ConcurrencyError(`consent request ${request.id}`);
    return stored;
  }

  async get(tenantId: string, id: string): Promise<ConsentRequest | undefined> {
    const row = this.db
      .prepare('SELECT doc FROM consent_requests WHERE tenant_id = ? AND id = ?')
      .get(tenantId, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as ConsentRequest) : undefined;
  }

  async update(request: ConsentRequest): Promise<ConsentRequest> {
    const stored = { ...request, version: request.version + 1 };
    const result = this.db
      .prepare(
        `UPDATE consent_requests SET state = ?, version = ?, doc = ?
         WHERE tenant_id = ? AND id = ? AND version = ?`,
      )
      .run(
        stored.state,
        stored.version,
        JSON.stringify(stored),
        request.tenantId,
        request.id,
        request.version,
      );
    if (result.changes !== 1) throw new ConcurrencyError(`consent request ${request.id}`);
    return stored;
  }

  async listByTenant(
    tenantId: string,
    options: { states?: ConsentRequestState[]; connectorId?: string; limit?: number } = {},
  ): Promise<ConsentRequest[]> {
    const where = ['tenant_id = ?'];
    const args: unknown[] = [tenantId];
    if (options.states) {
      if (options.states.length === 0) return [];
      where.push(`state IN (${options.states.map(() => '?').join(', ')})`);
      args.push(...options.states);
    }
    if (options.connectorId !== undefined) {
      where.push('connector_id = ?');
      args.push(options.connectorId);
    }
    const limit = Math.min(Math.max(1, options.limit ?? 50), MAX_PAGE);
    const rows = this.db
      .prepare(
        `SELECT doc FROM consent_requests WHERE ${where.join(' AND ')}
         ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(...args, limit) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as ConsentRequest);
  }

  async listOpen(options: { limit?: number; cursor?: string } = {}): Promise<Page<ConsentRequest>> {
    const limit = Math.min(Math.max(1, options.limit ?? 100), MAX_PAGE);
    const after = decodeCursor(options.cursor);
    const rows = this.db
      .prepare(
        `SELECT tenant_id, id, doc FROM consent_requests WHERE state = 'open' AND (tenant_id, id) > (?, ?)
         ORDER BY tenant_id, id LIMIT ?`,
      )
      .all(after[0], after[1], limit + 1) as { tenant_id: string; id: string; doc: string }[];
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => JSON.parse(r.doc) as ConsentRequest),
      next: rows.length > limit && last ? encodeCursor(last.tenant_id, last.id) : undefined,
    };
  }
}

function encodeCursor(tenantId: string, id: string): string {
  return Buffer.from(JSON.stringify([tenantId, id])).toString('base64url');
}

/** A cursor that does not decode starts from the beginning. */
function decodeCursor(cursor?: string): [string, string] {
  if (!cursor) return ['', ''];
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'string')) {
      return [value[0], value[1]];
    }
  } catch {
    // Fall through to the first page.
  }
  return ['', ''];
}
