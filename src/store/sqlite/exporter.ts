import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Connector } from '../../connectors/connector';
import type { ConsentRequest } from '../../connectors/consentRequest';
import type {
  AuditEvent,
  ConversationRecord,
  NoticeKey,
  Subscription,
  TargetConnection,
} from '../../connectors/ports';
import { DATABASE_FILE } from './database';

/** The tables an export reads, in the order a copy should write them. */
export const EXPORT_TABLES = [
  'conversations',
  'connectors',
  'secrets',
  'consentRequests',
  'audit',
  'subscriptions',
  'optOuts',
  'notices',
  'snoozes',
  'targets',
  'botState',
] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

/**
 * The SQLite tables an export deliberately leaves out, with why. Every other table of the schema
 * must be read by one of {@link EXPORT_TABLES} (test/unit/store/sqlite/exporter.test.ts checks it),
 * so a table added to the schema cannot be left behind by `npm run migrate-store` unnoticed.
 */
export const NOT_EXPORTED: Readonly<Record<string, string>> = {
  // Which schema migrations ran: the Azure store has its own layout and no migrations table.
  schema_version: 'the SQLite schema version, meaningless to another store',
  // SQLite's own counter for AUTOINCREMENT (audit.seq); the copy keys audit events by seq itself.
  sqlite_sequence: "SQLite's AUTOINCREMENT bookkeeping",
};

/** A sealed value as stored: encrypted with the bot's SECRETS_KEY, bound to tenant/connector. */
export interface ExportedSecret {
  tenantId: string;
  connectorId: string;
  sealed: string;
}

/** An audit event with its position in the log (SQLite's seq, ascending = oldest first). */
export interface ExportedAuditEvent {
  seq: number;
  event: AuditEvent;
}

/** A notice ledger row: claimed (in flight when the bot stopped) or sent. Released rows are left out. */
export interface ExportedNotice {
  key: NoticeKey;
  state: 'claimed' | 'sent';
  claimant: string;
  claimedAt: number;
  sentAt?: number;
}

export interface ExportedSnooze {
  key: Omit<NoticeKey, 'target'>;
  at: number;
}

export interface ExportedOptOut {
  tenantId: string;
  userId: string;
}

/** One key of the botbuilder state (turn and dialog state), without its eTag. */
export interface ExportedState {
  key: string;
  doc: Record<string, unknown>;
}

interface TableSpec<T> {
  /** The SQLite table. */
  table: string;
  /** Rows counted and read; released notices mean "not sent, free to claim", as no row does. */
  where?: string;
  columns: string;
  map(row: Record<string, unknown>): T;
}

const str = (v: unknown) => v as string;
const optional = (v: unknown) => (v === null || v === undefined ? undefined : (v as string));

const SPECS: { [K in ExportTable]: TableSpec<unknown> } = {
  conversations: {
    table: 'conversations',
    columns: 'tenant_id, conversation_id, conversation_type, reference, welcomed_at, user_id, updated_at',
    map: (r): ConversationRecord => ({
      tenantId: str(r.tenant_id),
      conversationId: str(r.conversation_id),
      conversationType: r.conversation_type as ConversationRecord['conversationType'],
      reference: JSON.parse(str(r.reference)),
      welcomedAt: optional(r.welcomed_at),
      userId: optional(r.user_id),
      updatedAt: str(r.updated_at),
    }),
  },
  connectors: {
    table: 'connectors',
    columns: 'doc',
    map: (r): Connector => JSON.parse(str(r.doc)),
  },
  secrets: {
    table: 'connector_secrets',
    columns: 'tenant_id, connector_id, sealed',
    map: (r): ExportedSecret => ({
      tenantId: str(r.tenant_id),
      connectorId: str(r.connector_id),
      sealed: str(r.sealed),
    }),
  },
  consentRequests: {
    table: 'consent_requests',
    columns: 'doc',
    // The doc holds the whole request (id, state, version, times); the other columns are its indexes.
    map: (r): ConsentRequest => JSON.parse(str(r.doc)),
  },
  audit: {
    table: 'audit',
    columns: 'seq, doc',
    map: (r): ExportedAuditEvent => ({ seq: Number(r.seq), event: JSON.parse(str(r.doc)) }),
  },
  subscriptions: {
    table: 'subscriptions',
    columns: 'doc',
    map: (r): Subscription => JSON.parse(str(r.doc)),
  },
  optOuts: {
    table: 'notice_optouts',
    columns: 'tenant_id, user_id',
    map: (r): ExportedOptOut => ({ tenantId: str(r.tenant_id), userId: str(r.user_id) }),
  },
  notices: {
    table: 'notices',
    where: `state IN ('claimed', 'sent')`,
    columns: 'tenant_id, connector_id, period_start, threshold, target, state, claimant, claimed_at, sent_at',
    map: (r): ExportedNotice => ({
      key: {
        tenantId: str(r.tenant_id),
        connectorId: str(r.connector_id),
        periodStart: str(r.period_start),
        threshold: Number(r.threshold),
        target: str(r.target),
      },
      state: r.state as ExportedNotice['state'],
      claimant: optional(r.claimant) ?? 'migrated',
      claimedAt: Number(r.claimed_at ?? r.sent_at ?? 0),
      sentAt: r.sent_at === null || r.sent_at === undefined ? undefined : Number(r.sent_at),
    }),
  },
  snoozes: {
    table: 'notice_snoozes',
    columns: 'tenant_id, connector_id, period_start, threshold, at',
    map: (r): ExportedSnooze => ({
      key: {
        tenantId: str(r.tenant_id),
        connectorId: str(r.connector_id),
        periodStart: str(r.period_start),
        threshold: Number(r.threshold),
      },
      at: Number(r.at),
    }),
  },
  targets: {
    table: 'targets',
    columns: 'doc',
    map: (r): TargetConnection => JSON.parse(str(r.doc)),
  },
  botState: {
    table: 'bot_state',
    columns: 'key, doc',
    map: (r): ExportedState => ({ key: str(r.key), doc: JSON.parse(str(r.doc)) }),
  },
};

/** The SQLite table each export table reads. */
export function sourceTable(table: ExportTable): string {
  return SPECS[table].table;
}

/** What each table yields. */
export interface ExportRows {
  conversations: ConversationRecord;
  connectors: Connector;
  secrets: ExportedSecret;
  consentRequests: ConsentRequest;
  audit: ExportedAuditEvent;
  subscriptions: Subscription;
  optOuts: ExportedOptOut;
  notices: ExportedNotice;
  snoozes: ExportedSnooze;
  targets: TargetConnection;
  botState: ExportedState;
}

/**
 * Read-only access to every record of the embedded store, for copying it elsewhere
 * (`npm run migrate-store`). Not part of the Store ports: the bot never enumerates a whole table.
 *
 * The file is opened read-only and one read transaction spans the whole export, so counts and rows
 * come from one snapshot even if a bot still writes to the file (stop it first anyway: what it
 * writes later is not copied). A table an older schema lacks reads as empty.
 */
export class SqliteExport {
  private readonly db: Database.Database;
  private readonly present: Set<string>;

  constructor(readonly dataDir: string) {
    const file = path.join(dataDir, DATABASE_FILE);
    if (!fs.existsSync(file))
      throw new Error(`no embedded store in ${dataDir} (${DATABASE_FILE} is missing)`);
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.db.exec('BEGIN');
    const tables = this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as {
      name: string;
    }[];
    this.present = new Set(tables.map((t) => t.name));
  }

  get file(): string {
    return path.join(this.dataDir, DATABASE_FILE);
  }

  count(table: ExportTable): number {
    const spec = SPECS[table];
    if (!this.present.has(spec.table)) return 0;
    const where = spec.where ? ` WHERE ${spec.where}` : '';
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM ${spec.table}${where}`).get() as { n: number }).n;
  }

  /** The rows of a table in pages, in insertion (rowid) order: the audit log oldest first. */
  *pages<K extends ExportTable>(table: K, pageSize = 500): Generator<ExportRows[K][]> {
    const spec = SPECS[table];
    if (!this.present.has(spec.table)) return;
    const filter = spec.where ? ` AND ${spec.where}` : '';
    const select = this.db.prepare(
      `SELECT rowid AS _rowid, ${spec.columns} FROM ${spec.table} WHERE rowid > ?${filter} ORDER BY rowid LIMIT ?`,
    );
    let after = -Infinity;
    for (;;) {
      const rows = select.all(after, pageSize) as Record<string, unknown>[];
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1]._rowid);
      yield rows.map((row) => spec.map(row) as ExportRows[K]);
      if (rows.length < pageSize) return;
    }
  }

  /** Notices marked sent: the same number as the ledger's countSent() on the copy. */
  countSent(): number {
    if (!this.present.has('notices')) return 0;
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM notices WHERE state = 'sent'`).get() as { n: number })
      .n;
  }

  close(): void {
    if (!this.db.open) return;
    this.db.exec('COMMIT');
    this.db.close();
  }
}
