import type Database from 'better-sqlite3';
import type { NoticeKey, NoticeLedger, NoticeState } from '../../connectors/ports';

function keyArgs(key: NoticeKey): [string, string, string, number, string] {
  return [key.tenantId, key.connectorId, key.periodStart, key.threshold, key.target];
}

const WHERE_KEY = 'tenant_id = ? AND connector_id = ? AND period_start = ? AND threshold = ? AND target = ?';

/**
 * The notice ledger in SQLite. A claim is one conditional write, so two processes on the same
 * file can never both hold a notice; an expired lease lets a live process take over.
 */
export class SqliteNoticeLedger implements NoticeLedger {
  constructor(private readonly db: Database.Database) {}

  async claim(key: NoticeKey, claimant: string, now: Date, leaseMs: number): Promise<boolean> {
    const at = now.getTime();
    const inserted = this.db
      .prepare(
        `INSERT INTO notices (tenant_id, connector_id, period_start, threshold, target, state, claimant, claimed_at)
         VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?) ON CONFLICT DO NOTHING`,
      )
      .run(...keyArgs(key), claimant, at);
    if (inserted.changes === 1) return true;
    const taken = this.db
      .prepare(
        `UPDATE notices SET state = 'claimed', claimant = ?, claimed_at = ?
         WHERE ${WHERE_KEY} AND (state = 'released' OR (state = 'claimed' AND claimed_at <= ?))`,
      )
      .run(claimant, at, ...keyArgs(key), at - leaseMs);
    return taken.changes === 1;
  }

  async markSent(key: NoticeKey, claimant: string, now: Date): Promise<void> {
    this.db
      .prepare(`UPDATE notices SET state = 'sent', sent_at = ? WHERE ${WHERE_KEY} AND claimant = ?`)
      .run(now.getTime(), ...keyArgs(key), claimant);
  }

  async release(key: NoticeKey, claimant: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE notices SET state = 'released' WHERE ${WHERE_KEY} AND claimant = ? AND state = 'claimed'`,
      )
      .run(...keyArgs(key), claimant);
  }

  async snooze(key: Omit<NoticeKey, 'target'>, now: Date): Promise<void> {
    this.db
      .prepare(
        `INSERT OR IGNORE INTO notice_snoozes (tenant_id, connector_id, period_start, threshold, at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(key.tenantId, key.connectorId, key.periodStart, key.threshold, now.getTime());
  }

  async isSnoozed(key: Omit<NoticeKey, 'target'>): Promise<boolean> {
    return !!this.db
      .prepare(
        'SELECT 1 FROM notice_snoozes WHERE tenant_id = ? AND connector_id = ? AND period_start = ? AND threshold = ?',
      )
      .get(key.tenantId, key.connectorId, key.periodStart, key.threshold);
  }

  async state(key: NoticeKey): Promise<NoticeState | undefined> {
    const row = this.db.prepare(`SELECT state FROM notices WHERE ${WHERE_KEY}`).get(...keyArgs(key)) as
      { state: string } | undefined;
    if (!row) return undefined;
    return row.state === 'sent' ? 'sent' : row.state === 'claimed' ? 'claimed' : undefined;
  }

  async countSent(): Promise<number> {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM notices WHERE state = 'sent'`).get() as { n: number })
      .n;
  }
}
