import type Database from 'better-sqlite3';
import type { AuditEvent, AuditLog } from '../../connectors/ports';

/** Append-only: this class has no update or delete. */
export class SqliteAuditLog implements AuditLog {
  constructor(private readonly db: Database.Database) {}

  async append(event: AuditEvent): Promise<void> {
    this.db
      .prepare('INSERT INTO audit (tenant_id, connector_id, at, doc) VALUES (?, ?, ?, ?)')
      .run(event.tenantId, event.connectorId ?? null, event.at, JSON.stringify(event));
  }

  async list(
    tenantId: string,
    options: { connectorId?: string; limit?: number } = {},
  ): Promise<AuditEvent[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 1000);
    const rows = (
      options.connectorId
        ? this.db
            .prepare(
              'SELECT doc FROM audit WHERE tenant_id = ? AND connector_id = ? ORDER BY seq DESC LIMIT ?',
            )
            .all(tenantId, options.connectorId, limit)
        : this.db
            .prepare('SELECT doc FROM audit WHERE tenant_id = ? ORDER BY seq DESC LIMIT ?')
            .all(tenantId, limit)
    ) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as AuditEvent);
  }
}
