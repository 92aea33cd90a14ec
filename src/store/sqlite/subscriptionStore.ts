import type Database from 'better-sqlite3';
import type { Subscription, SubscriptionStore } from '../../connectors/ports';

/** Notification targets and personal opt-outs in SQLite. */
export class SqliteSubscriptionStore implements SubscriptionStore {
  constructor(private readonly db: Database.Database) {}

  async add(subscription: Subscription): Promise<boolean> {
    const existed = this.db
      .prepare('SELECT 1 FROM subscriptions WHERE tenant_id = ? AND conversation_id = ?')
      .get(subscription.tenantId, subscription.conversationId);
    this.db
      .prepare(
        `INSERT INTO subscriptions (tenant_id, conversation_id, team_id, doc) VALUES (?, ?, ?, ?)
         ON CONFLICT(tenant_id, conversation_id) DO UPDATE SET team_id = excluded.team_id, doc = excluded.doc`,
      )
      .run(
        subscription.tenantId,
        subscription.conversationId,
        subscription.teamId ?? null,
        JSON.stringify(subscription),
      );
    return !existed;
  }

  async remove(tenantId: string, conversationId: string): Promise<boolean> {
    return (
      this.db
        .prepare('DELETE FROM subscriptions WHERE tenant_id = ? AND conversation_id = ?')
        .run(tenantId, conversationId).changes === 1
    );
  }

  async get(tenantId: string, conversationId: string): Promise<Subscription | undefined> {
    const row = this.db
      .prepare('SELECT doc FROM subscriptions WHERE tenant_id = ? AND conversation_id = ?')
      .get(tenantId, conversationId) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Subscription) : undefined;
  }

  async listByTenant(tenantId: string): Promise<Subscription[]> {
    const rows = this.db
      .prepare('SELECT doc FROM subscriptions WHERE tenant_id = ? ORDER BY conversation_id')
      .all(tenantId) as { doc: string }[];
    return rows.map((r) => JSON.parse(r.doc) as Subscription);
  }

  async removeByTeam(tenantId: string, teamId: string): Promise<Subscription[]> {
    const remove = this.db.transaction(() => {
      const rows = this.db
        .prepare('SELECT doc FROM subscriptions WHERE tenant_id = ? AND team_id = ?')
        .all(tenantId, teamId) as { doc: string }[];
      this.db.prepare('DELETE FROM subscriptions WHERE tenant_id = ? AND team_id = ?').run(tenantId, teamId);
      return rows.map((r) => JSON.parse(r.doc) as Subscription);
    });
    return remove.immediate();
  }

  async setPersonalOptOut(tenantId: string, userId: string, optedOut: boolean): Promise<void> {
    if (optedOut) {
      this.db
        .prepare('INSERT OR IGNORE INTO notice_optouts (tenant_id, user_id) VALUES (?, ?)')
        .run(tenantId, userId);
    } else {
      this.db.prepare('DELETE FROM notice_optouts WHERE tenant_id = ? AND user_id = ?').run(tenantId, userId);
    }
  }

  async isPersonalOptOut(tenantId: string, userId: string): Promise<boolean> {
    return !!this.db
      .prepare('SELECT 1 FROM notice_optouts WHERE tenant_id = ? AND user_id = ?')
      .get(tenantId, userId);
  }
}
