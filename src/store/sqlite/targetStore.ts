import type Database from 'better-sqlite3';
import type { TargetConnection, TargetStore } from '../../connectors/ports';

/** Defined target connections in SQLite: one JSON document per (tenant, id). */
export class SqliteTargetStore implements TargetStore {
  constructor(private readonly db: Database.Database) {}

  async put(target: TargetConnection): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO targets (tenant_id, id, doc) VALUES (?, ?, ?)
         ON CONFLICT(tenant_id, id) DO UPDATE SET doc = excluded.doc`,
      )
      .run(target.tenantId, target.id, JSON.stringify(target));
  }

  async get(tenantId: string, id: string): Promise<TargetConnection | undefined> {
    const row = this.db
      .prepare('SELECT doc FROM targets WHERE tenant_id = ? AND id = ?')
      .get(tenantId, id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as TargetConnection) : undefined;
  }

  async list(tenantId: string): Promise<TargetConnection[]> {
    const rows = this.db
      .prepare('SELECT doc FROM targets WHERE tenant_id = ? ORDER BY id LIMIT 100')
      .all(tenantId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as TargetConnection);
  }

  async remove(tenantId: string, id: string): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM targets WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes === 1
    );
  }
}
