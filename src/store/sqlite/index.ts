import * as path from 'node:path';
import type { Store } from '../ports';
import { StoreUnavailableError } from '../ports';
import { SqliteAuditLog } from './auditLog';
import { SqliteConnectorStore } from './connectorStore';
import { SqliteConversationStore } from './conversationStore';
import { DATABASE_FILE, openDatabase } from './database';
import { SqliteSecretStore } from './secretStore';
import { SqliteStateStorage } from './stateStorage';
import { SqliteSubscriptionStore } from './subscriptionStore';
import { SqliteNoticeLedger } from './noticeLedger';
import { SqliteTargetStore } from './targetStore';

/** The embedded default store: one SQLite file under DATA_DIR. */
export function createSqliteStore(dataDir: string): Store {
  const db = openDatabase(dataDir);
  return {
    kind: 'sqlite',
    location: path.join(dataDir, DATABASE_FILE),
    state: new SqliteStateStorage(db),
    conversations: new SqliteConversationStore(db),
    connectors: new SqliteConnectorStore(db),
    secrets: new SqliteSecretStore(db),
    audit: new SqliteAuditLog(db),
    subscriptions: new SqliteSubscriptionStore(db),
    notices: new SqliteNoticeLedger(db),
    targets: new SqliteTargetStore(db),
    async ping() {
      try {
        db.prepare('SELECT MAX(version) FROM schema_version').get();
      } catch (err) {
        throw new StoreUnavailableError(err);
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
