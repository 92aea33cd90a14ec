import type Database from 'better-sqlite3';
import type { ConversationRecord, ConversationStore } from '../../connectors/ports';

interface Row {
  tenant_id: string;
  conversation_id: string;
  conversation_type: ConversationRecord['conversationType'];
  reference: string;
  welcomed_at: string | null;
  user_id: string | null;
  updated_at: string;
}

function toRecord(row: Row): ConversationRecord {
  return {
    tenantId: row.tenant_id,
    conversationId: row.conversation_id,
    conversationType: row.conversation_type,
    reference: JSON.parse(row.reference),
    welcomedAt: row.welcomed_at ?? undefined,
    userId: row.user_id ?? undefined,
    updatedAt: row.updated_at,
  };
}

/** Conversation references in SQLite, keyed by tenant + conversation. */
export class SqliteConversationStore implements ConversationStore {
  constructor(private readonly db: Database.Database) {}

  async upsert(record: Omit<ConversationRecord, 'welcomedAt'>): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO conversations (tenant_id, conversation_id, conversation_type, reference, user_id, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(tenant_id, conversation_id) DO UPDATE SET
           conversation_type = excluded.conversation_type, reference = excluded.reference,
           user_id = COALESCE(excluded.user_id, conversations.user_id), updated_at = excluded.updated_at`,
      )
      .run(
        record.tenantId,
        record.conversationId,
        record.conversationType,
        JSON.stringify(record.reference),
        record.userId ?? null,
        record.updatedAt,
      );
  }

  async get(tenantId: string, conversationId: string): Promise<ConversationRecord | undefined> {
    const row = this.db
      .prepare('SELECT * FROM conversations WHERE tenant_id = ? AND conversation_id = ?')
      .get(tenantId, conversationId) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  async claimWelcome(tenantId: string, conversationId: string, at: string): Promise<boolean> {
    const result = this.db
      .prepare(
        'UPDATE conversations SET welcomed_at = ? WHERE tenant_id = ? AND conversation_id = ? AND welcomed_at IS NULL',
      )
      .run(at, tenantId, conversationId);
    return result.changes === 1;
  }

  async releaseWelcome(tenantId: string, conversationId: string): Promise<void> {
    this.db
      .prepare('UPDATE conversations SET welcomed_at = NULL WHERE tenant_id = ? AND conversation_id = ?')
      .run(tenantId, conversationId);
  }

  async findPersonal(tenantId: string, userId: string): Promise<ConversationRecord | undefined> {
    const row = this.db
      .prepare(
        `SELECT * FROM conversations WHERE tenant_id = ? AND user_id = ? AND conversation_type = 'personal'
         ORDER BY updated_at DESC LIMIT 1`,
      )
      .get(tenantId, userId) as Row | undefined;
    return row ? toRecord(row) : undefined;
  }

  async remove(tenantId: string, conversationId: string): Promise<void> {
    this.db
      .prepare('DELETE FROM conversations WHERE tenant_id = ? AND conversation_id = ?')
      .run(tenantId, conversationId);
  }
}
