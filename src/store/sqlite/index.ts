import * as path from 'node:path';
import type { Store } from '../../connectors/ports';
import { StoreUnavailableError } from '../../connectors/ports';
import { SqliteAuditLog } from './auditLog';
import { SqliteConnectorStore } from './connectorStore';
import { SqliteConversationStore } from './conversationStore';
import { DATABASE_FILE, openDatabase, reusePreparedStatements } from './database';
import { SqliteSecretStore } from './secretStore';
import { SqliteStateStorage } from './stateStorage';
import { SqliteSubscriptionStore } from './subscriptionStore';
import { SqliteNoticeLedger } from './noticeLedger';
import { SqliteTargetStore } from './targetStore';
import { SqliteConsentRequestStore } from './consentRequestStore';
import { guardSqlite } from './errors';

/** The embedded default store: one SQLite file under DATA_DIR. */
export function createSqliteStore(dataDir: string): Store {
  const db = reusePreparedStatements(openDatabase(dataDir));
  return {
    kind: 'sqlite',
    location: path.join(dataDir, DATABASE_FILE),
    state: guardSqlite(new SqliteStateStorage(db)),
    conversations: guardSqlite(new SqliteConversationStore(db)),
    connectors: guardSqlite(new SqliteConnectorStore(db)),
    secrets: guardSqlite(new SqliteSecretStore(db)),
    audit: guardSqlite(new SqliteAuditLog(db)),
    subscriptions: guardSqlite(new SqliteSubscriptionStore(db)),
    notices: guardSqlite(new SqliteNoticeLedger(db)),
    targets: guardSqlite(new SqliteTargetStore(db)),
    consentRequests: guardSqlite(new SqliteConsentRequestStore(db)),
    async ping() {
      try {
        // A real table, not only the schema version: a damaged file fails here.
        db.prepare('SELECT MAX(version) FROM schema_version').get();
        db.prepare('SELECT tenant_id, id, doc FROM connectors LIMIT 1').get();
      } catch (err) {
        throw err instanceof StoreUnavailableError ? err : new StoreUnavailableError(err);
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
