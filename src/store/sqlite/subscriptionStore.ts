import type Database from 'better-sqlite3';
import type { Subscription, SubscriptionStore } from '../../connectors/ports';

/** Notification targets and personal opt-outs in SQLite. */
export class SqliteSubscriptionStore implements SubscriptionStore {
  constructor(private readonly db: Database.Database) {}

  /**
   * Read and write in one immediate transaction: another process sharing the file cannot slip
   * between them, so only one of two simultaneous subscribes is told it is new (and audited).
   */
  async add(subscription: Subscription): Promise<boolean> {
    const addOne = this.db.transaction((s: Subscription): boolean => {
      const existed = this.db
        .prepare('SELECT 1 FROM subscriptions WHERE tenant_id = ? AND conversation_id = ?')
        .get(s.tenantId, s.conversationId);
      this.db
        .prepare(
          `INSERT INTO subscriptions (tenant_id, conversation_id, team_id, doc) VALUES (?, ?, ?, ?)
           ON CONFLICT(tenant_id, conversation_id) DO UPDATE SET team_id = excluded.team_id, doc = excluded.doc`,
        )
        .run(s.tenantId, s.conversationId, s.teamId ?? null, JSON.stringify(s));
      return !existed;
    });
    return addOne.immediate(subscription);
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

  async listByTenants(tenantIds: readonly string[]): Promise<Map<string, Subscription[]>> {
    const found = new Map<string, Subscription[]>();
    for (const tenantId of new Set(tenantIds)) {
      const subscriptions = await this.listByTenant(tenantId);
      if (subscriptions.length > 0) found.set(tenantId, subscriptions);
    }
    return found;
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
