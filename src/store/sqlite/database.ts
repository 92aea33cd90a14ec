import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Schema migrations in order; each runs once, recorded in schema_version. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE bot_state (
    key TEXT PRIMARY KEY,
    etag TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE conversations (
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    conversation_type TEXT NOT NULL,
    reference TEXT NOT NULL,
    welcomed_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
  );
  CREATE TABLE connectors (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    display_name_key TEXT NOT NULL,
    clock_start INTEGER,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
  );
  CREATE INDEX connectors_by_clock ON connectors (clock_start, tenant_id, id) WHERE clock_start IS NOT NULL;
  CREATE INDEX connectors_by_name ON connectors (tenant_id, display_name_key, id);
  CREATE TABLE connector_secrets (
    tenant_id TEXT NOT NULL,
    connector_id TEXT NOT NULL,
    sealed TEXT NOT NULL,
    PRIMARY KEY (tenant_id, connector_id)
  );
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id TEXT NOT NULL,
    connector_id TEXT,
    at TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX audit_by_tenant ON audit (tenant_id, seq);
  CREATE INDEX audit_by_connector ON audit (tenant_id, connector_id, seq);
  `,
  `
  ALTER TABLE conversations ADD COLUMN user_id TEXT;
  CREATE INDEX conversations_by_user ON conversations (tenant_id, user_id) WHERE user_id IS NOT NULL;
  CREATE TABLE subscriptions (
    tenant_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    team_id TEXT,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
  );
  CREATE TABLE notice_optouts (
    tenant_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
  );
  CREATE TABLE notices (
    tenant_id TEXT NOT NULL,
    connector_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    claimant TEXT,
    claimed_at INTEGER,
    sent_at INTEGER,
    PRIMARY KEY (tenant_id, connector_id, period_start, threshold, target)
  );
  CREATE TABLE notice_snoozes (
    tenant_id TEXT NOT NULL,
    connector_id TEXT NOT NULL,
    period_start TEXT NOT NULL,
    threshold INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, connector_id, period_start, threshold)
  );
  `,
  `
  CREATE INDEX connectors_awaiting_consent ON connectors (tenant_id, id) WHERE status = 'awaiting-consent';
  `,
  `
  CREATE TABLE targets (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
  );
  `,
  `
  CREATE TABLE consent_requests (
    tenant_id TEXT NOT NULL,
    id TEXT NOT NULL,
    connector_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    version INTEGER NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
  );
  CREATE INDEX consent_requests_by_tenant ON consent_requests (tenant_id, created_at);
  CREATE INDEX consent_requests_open ON consent_requests (tenant_id, id) WHERE state = 'open';
  `,
  // The expiry scan reads a tenant's due connectors at a time (expiringByTenant).
  `
  CREATE INDEX connectors_by_tenant_clock ON connectors (tenant_id, clock_start, id) WHERE clock_start IS NOT NULL;
  `,
];

/** The database file inside DATA_DIR. */
export const DATABASE_FILE = 'concierge.sqlite';

/** A damaged database file: found by `PRAGMA quick_check` when the store opens. */
export class DamagedDatabaseError extends Error {
  readonly code = 'SQLITE_DAMAGED';
  constructor(detail: string) {
    super(`the database file is damaged (quick_check: ${detail})`);
    this.name = 'DamagedDatabaseError';
  }
}

/**
 * Runs SQLite's quick_check (every page and index entry, without the slower cross-checks of
 * integrity_check): a damaged file stops start-up instead of failing one request in ten later.
 */
function checkIntegrity(db: Database.Database): void {
  let rows: { quick_check: string }[];
  try {
    rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  } catch (err) {
    // Only SQLite's own verdicts are damage; a lock held too long, a read-only folder or a
    // missing permission are said as they are, or an operator might replace a sound file.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && /^SQLITE_(CORRUPT|NOTADB)/.test(code))
      throw new DamagedDatabaseError((err as Error).message);
    throw err;
  }
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0)
    throw new DamagedDatabaseError(problems.join('; ').split(/\r?\n/)[0].slice(0, 300));
}

/** How long a statement waits for another process's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

/** A database written by a newer release of the bot: this one does not know its schema. */
export class NewerDatabaseError extends Error {
  readonly code = 'SQLITE_NEWER_SCHEMA';
  constructor(found: number, known: number) {
    super(
      `the database was written by a newer release of the bot (schema version ${found}; this release knows up to ${known}): run that release, or restore a backup made before it`,
    );
    this.name = 'NewerDatabaseError';
  }
}

/**
 * The page cache of the connection, in KiB. better-sqlite3 builds SQLite with a 16 MB cache
 * (SQLite's own default is 2 MB), and every page the bot writes stays cached until that is
 * full: the file grows with each new conversation's state and every audit event, so the
 * process's memory grew with the file for its first 16 MB (about 1 MB a minute in the soak).
 * The pages a turn reads again (its state, a tenant's connectors) are far fewer than this; the
 * rest are one read from the operating system's file cache away.
 */
export const PAGE_CACHE_KIB = 4096;

/**
 * Opens (creating when needed) the embedded database and brings its schema up to date.
 * WAL and a busy timeout let a second process share the file safely.
 */
export function openDatabase(dataDir: string, options: { busyTimeoutMs?: number } = {}): Database.Database {
  fs.mkdirSync(dataDir, { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
  // The timeout holds from the first statement: quick_check waits for a writer's lock too.
  const db = new Database(path.join(dataDir, DATABASE_FILE), { timeout: busyTimeoutMs });
  try {
    checkIntegrity(db);
  } catch (err) {
    db.close();
    throw err;
  }
  db.pragma('journal_mode = WAL');
  // What better-sqlite3's build (SQLITE_DEFAULT_WAL_SYNCHRONOUS=1) does in WAL mode anyway, said
  // here because PRAGMA synchronous would still read 2 (FULL): a commit appends to the WAL without
  // waiting for an fsync (strace: two pwrites per state write). The file stays consistent after a
  // crash of the process or of the machine; a power loss may take back the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // Negative: a size in KiB rather than a number of pages.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const migrate = db.transaction(() => {
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    const current = row.v ?? 0;
    // An older release on a newer schema would write rows it does not understand.
    if (current > MIGRATIONS.length) throw new NewerDatabaseError(current, MIGRATIONS.length);
    for (let i = current; i < MIGRATIONS.length; i++) {
      db.exec(MIGRATIONS[i]);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(i + 1);
    }
  });
  try {
    migrate.immediate();
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * Makes `db.prepare` hand back one compiled statement per SQL text. The stores prepare their
 * statements where they use them, and compiling one costs more than running most of them (a
 * turn's state read and write, a page of connectors). The SQL texts are the stores' own
 * constants, so the cache stays small; no store switches a statement's mode (pluck, raw,
 * expand) or iterates one, which would make sharing it unsafe.
 */
export function reusePreparedStatements(db: Database.Database): Database.Database {
  const prepare = db.prepare.bind(db);
  const statements = new Map<string, Database.Statement>();
  db.prepare = ((source: string) => {
    let statement = statements.get(source);
    if (!statement) {
      statement = prepare(source);
      statements.set(source, statement);
    }
    return statement;
  }) as Database.Database['prepare'];
  return db;
}
