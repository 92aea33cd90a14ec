import type Database from 'better-sqlite3';
import type { NoticeKey, NoticeLedger, NoticeState, SentNotice } from '../../connectors/ports';
import { SqliteAuditLog } from './auditLog';

function keyArgs(key: NoticeKey): [string, string, string, number, string] {
  return [key.tenantId, key.connectorId, key.periodStart, key.threshold, key.target];
}

const WHERE_KEY = 'tenant_id = ? AND connector_id = ? AND period_start = ? AND threshold = ? AND target = ?';

/**
 * The notice ledger in SQLite. A claim is one conditional write, so two processes on the same
 * file can never both hold a notice; an expired lease lets a live process take over.
 */
export class SqliteNoticeLedger implements NoticeLedger {
  private readonly audit: SqliteAuditLog;

  constructor(private readonly db: Database.Database) {
    this.audit = new SqliteAuditLog(db);
  }

  async claim(key: NoticeKey, claimant: string, now: Date, leaseMs: number): Promise<boolean> {
    return this.claimNow(key, claimant, now.getTime(), leaseMs);
  }

  private claimNow(key: NoticeKey, claimant: string, at: number, leaseMs: number): boolean {
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

  /**
   * Each notice claimed as {@link claim} does, all in one SQLite transaction: one commit (and WAL
   * sync) for a digest's notices instead of one each.
   */
  async claimAll(
    keys: readonly NoticeKey[],
    claimant: string,
    now: Date,
    leaseMs: number,
  ): Promise<boolean[]> {
    const at = now.getTime();
    return this.db.transaction(() => keys.map((key) => this.claimNow(key, claimant, at, leaseMs)))();
  }

  /** The marks and the audit rows in one SQLite transaction. */
  async markAllSent(sent: readonly SentNotice[], claimant: string, now: Date): Promise<void> {
    const mark = this.db.prepare(
      `UPDATE notices SET state = 'sent', sent_at = ? WHERE ${WHERE_KEY} AND claimant = ?`,
    );
    this.db.transaction(() => {
      for (const { key, audit } of sent) {
        mark.run(now.getTime(), ...keyArgs(key), claimant);
        this.audit.appendNow(audit);
      }
    })();
  }

  async release(key: NoticeKey, claimant: string): Promise<void> {
    this.db
      .prepare(
        `UPDATE notices SET state = 'released' WHERE ${WHERE_KEY} AND claimant = ? AND state = 'claimed'`,
      )
      .run(...keyArgs(key), claimant);
  }

  async snooze(key: Omit<NoticeKey, 'target'>, now: Date): Promise<boolean> {
    const { changes } = this.db
      .prepare(
        `INSERT OR IGNORE INTO notice_snoozes (tenant_id, connector_id, period_start, threshold, at) VALUES (?, ?, ?, ?, ?)`,
      )
      .run(key.tenantId, key.connectorId, key.periodStart, key.threshold, now.getTime());
    return changes > 0;
  }

  async isSnoozed(key: Omit<NoticeKey, 'target'>): Promise<boolean> {
    return !!this.db
      .prepare(
        'SELECT 1 FROM notice_snoozes WHERE tenant_id = ? AND connector_id = ? AND period_start = ? AND threshold = ?',
      )
      .get(key.tenantId, key.connectorId, key.periodStart, key.threshold);
  }

  async areSnoozed(keys: readonly Omit<NoticeKey, 'target'>[]): Promise<boolean[]> {
    const answers: boolean[] = [];
    for (const key of keys) answers.push(await this.isSnoozed(key));
    return answers;
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
