import type Database from 'better-sqlite3';
import type { SecretStore, StoredSecret } from '../../connectors/ports';

/** Sealed (already encrypted) connector secrets in SQLite. */
export class SqliteSecretStore implements SecretStore {
  constructor(private readonly db: Database.Database) {}

  async put(tenantId: string, connectorId: string, sealed: string): Promise<void> {
    putSealedSecret(this.db, tenantId, connectorId, sealed);
  }

  async get(tenantId: string, connectorId: string): Promise<string | undefined> {
    const row = this.db
      .prepare('SELECT sealed FROM connector_secrets WHERE tenant_id = ? AND connector_id = ?')
      .get(tenantId, connectorId) as { sealed: string } | undefined;
    return row?.sealed;
  }

  async sample(): Promise<StoredSecret | undefined> {
    const row = this.db
      .prepare('SELECT tenant_id, connector_id, sealed FROM connector_secrets LIMIT 1')
      .get() as { tenant_id: string; connector_id: string; sealed: string } | undefined;
    return row && { tenantId: row.tenant_id, connectorId: row.connector_id, sealed: row.sealed };
  }
}

/** Stores a connector's sealed secret; the connector store calls it inside its own transaction. */
export function putSealedSecret(
  db: Database.Database,
  tenantId: string,
  connectorId: string,
  sealed: string,
): void {
  db.prepare(
    `INSERT INTO connector_secrets (tenant_id, connector_id, sealed) VALUES (?, ?, ?)
     ON CONFLICT(tenant_id, connector_id) DO UPDATE SET sealed = excluded.sealed`,
  ).run(tenantId, connectorId, sealed);
}
