/**
 * Seeding for the benchmark. `bulkLoad` is the bulk loader: it writes rows straight into the
 * SQLite file (schema from the bot's own migrations) with one prepared statement in large
 * transactions, not through the chat path; `seedTenantConnectors` goes through the store.
 */
import Database from 'better-sqlite3';
import * as path from 'node:path';
import type { Connector } from '../src/connectors/connector';
import type { Subscription } from '../src/connectors/ports';
import { createSqliteStore } from '../src/store/sqlite';
import { nameKey } from '../src/store/names';
import { DATABASE_FILE, openDatabase } from '../src/store/sqlite/database';
import { DAY_MS } from '../src/util/clock';
import { BOT } from '../test/harness/activities';

const HOUR_MS = 60 * 60 * 1000;
const TYPES = ['box', 'dropbox', 'office365', 'google-workspace', 'egnyte', 'amazon-s3'] as const;

/** Tenant ids that sort in the order they are generated, so the primary key is appended to. */
export function tenantId(index: number): string {
  return `00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/** The id of the `index`th connector seeded for tenant `tenantIndex`. */
export function connectorId(tenantIndex: number, index: number): string {
  return `${tenantIndex.toString(16).padStart(8, '0')}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;
}

/**
 * How old a due connector is: 60 days and an hour to 89 days and an hour, so it has 1 to 30
 * days left (a notice is due) and none is expired (nothing is deauthorized).
 */
export function dueAgeMs(k: number): number {
  return 60 * DAY_MS + HOUR_MS + (k % 30) * DAY_MS;
}

/** A connector that is not due: 0 to 58 days old, well inside the 60-day horizon of the first notice. */
function freshAgeMs(i: number): number {
  return ((i * 7919) % (58 * 24)) * HOUR_MS;
}

function connectorDoc(
  tenant: string,
  id: string,
  displayName: string,
  type: string,
  authorizedAt: string,
): Connector {
  return {
    id,
    tenantId: tenant,
    type: type as Connector['type'],
    displayName,
    status: 'authorized',
    createdAt: authorizedAt,
    authorizedAt,
    version: 1,
  };
}

/** The reference the `subscribe` command stores for a channel, pointed at `serviceUrl`. */
export function channelSubscription(
  tenant: string,
  conversationId: string,
  serviceUrl: string,
): Subscription {
  return {
    tenantId: tenant,
    conversationId,
    conversationType: 'channel',
    reference: {
      channelId: 'msteams',
      serviceUrl,
      locale: 'en-US',
      bot: { id: BOT.id, name: BOT.name },
      user: { id: '29:bench-admin', name: 'Bench Admin' },
      conversation: {
        id: conversationId,
        conversationType: 'channel',
        tenantId: tenant,
        isGroup: true,
        name: '',
      },
    },
    teamId: conversationId,
    createdBy: 'bench-admin',
    createdAt: new Date().toISOString(),
  };
}

export interface LoadSpec {
  connectors: number;
  tenants: number;
  /** Every `dueEvery`-th connector gets a notice due; 0: none is due. */
  dueEvery: number;
  /** "Now" the ages are counted back from (ms since the epoch). */
  now: number;
  /** One subscribed channel per tenant, when given. */
  subscription?: (tenantIndex: number, tenant: string) => Subscription;
}

export interface LoadResult {
  file: string;
  connectors: number;
  due: number;
  tenants: number;
  ms: number;
}

/** One seeded connector: its document, its clock start (ms) and its position in the load. */
export interface SeededConnector {
  /** 0-based position over the whole load (the SQLite rowid minus one). */
  index: number;
  doc: Connector;
  clock: number;
  isDue: boolean;
}

/** One seeded tenant: its subscription (if the spec asks for one) and its connectors. */
export interface SeededTenant {
  index: number;
  tenantId: string;
  subscription?: Subscription;
  connectors: SeededConnector[];
}

/**
 * The connectors a spec describes, tenant by tenant, the same for every store's loader:
 * `spec.connectors` spread evenly over `spec.tenants`, named "Migration n", every `dueEvery`-th
 * 60–89 days old and the rest 0–58 days.
 */
export function* layout(spec: LoadSpec): Generator<SeededTenant> {
  const perTenant = Math.floor(spec.connectors / spec.tenants);
  const extra = spec.connectors % spec.tenants;
  let i = 0;
  let due = 0;
  for (let t = 0; t < spec.tenants; t++) {
    const tenant = tenantId(t);
    const connectors: SeededConnector[] = [];
    const n = perTenant + (t < extra ? 1 : 0);
    for (let j = 0; j < n; j++, i++) {
      const isDue = spec.dueEvery > 0 && i % spec.dueEvery === spec.dueEvery - 1;
      const clock = spec.now - (isDue ? dueAgeMs(due++) : freshAgeMs(i));
      const id = connectorId(t, j);
      const doc = connectorDoc(
        tenant,
        id,
        `Migration ${j + 1}`,
        TYPES[i % TYPES.length],
        new Date(clock).toISOString(),
      );
      connectors.push({ index: i, doc, clock, isDue });
    }
    yield { index: t, tenantId: tenant, subscription: spec.subscription?.(t, tenant), connectors };
  }
}

/** Writes `spec.connectors` connectors over `spec.tenants` tenants straight into DATA_DIR's SQLite file. */
export function bulkLoad(dataDir: string, spec: LoadSpec): LoadResult {
  const started = performance.now();
  openDatabase(dataDir).close(); // the bot's own schema
  const file = path.join(dataDir, DATABASE_FILE);
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -131072');
  const insert = db.prepare(
    `INSERT INTO connectors (tenant_id, id, display_name_key, clock_start, status, version, doc)
     VALUES (?, ?, ?, ?, 'authorized', 1, ?)`,
  );
  const subscribe = db.prepare(
    'INSERT INTO subscriptions (tenant_id, conversation_id, team_id, doc) VALUES (?, ?, ?, ?)',
  );
  let i = 0;
  let due = 0;
  db.exec('BEGIN');
  for (const tenant of layout(spec)) {
    if (tenant.subscription) {
      const s = tenant.subscription;
      subscribe.run(s.tenantId, s.conversationId, s.teamId ?? null, JSON.stringify(s));
    }
    for (const c of tenant.connectors) {
      if (c.isDue) due += 1;
      insert.run(c.doc.tenantId, c.doc.id, nameKey(c.doc.displayName), c.clock, JSON.stringify(c.doc));
      if (i % 100_000 === 99_999) {
        db.exec('COMMIT');
        db.exec('BEGIN');
      }
      i += 1;
    }
  }
  db.exec('COMMIT');
  db.pragma('journal_mode = WAL');
  db.close();
  return { file, connectors: i, due, tenants: spec.tenants, ms: performance.now() - started };
}

/**
 * Makes every `every`-th connector (by insertion order) 60–89 days old, so a notice is due for
 * 1/`every` of them; returns how many changed.
 */
export function makeDue(dataDir: string, every: number, now: number): number {
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  db.pragma('synchronous = OFF');
  const rows = db.prepare('SELECT rowid AS r, doc FROM connectors WHERE rowid % ? = 0').all(every) as {
    r: number;
    doc: string;
  }[];
  const update = db.prepare('UPDATE connectors SET clock_start = ?, doc = ? WHERE rowid = ?');
  db.transaction(() => {
    rows.forEach((row, k) => {
      const clock = now - dueAgeMs(k);
      const doc = JSON.parse(row.doc) as Connector;
      const at = new Date(clock).toISOString();
      update.run(clock, JSON.stringify({ ...doc, createdAt: at, authorizedAt: at }), row.r);
    });
  })();
  db.close();
  return rows.length;
}

/** Creates `n` connectors of one tenant through the store (as an import would), 10 days old. */
export async function seedTenantConnectors(dataDir: string, tenant: string, n: number): Promise<void> {
  const store = createSqliteStore(dataDir);
  const at = new Date(Date.now() - 10 * DAY_MS).toISOString();
  try {
    for (let i = 0; i < n; i++) {
      const id = connectorId(0, i);
      await store.connectors.create(
        connectorDoc(tenant, id, `Team site ${String(i + 1).padStart(3, '0')}`, TYPES[i % TYPES.length], at),
      );
    }
  } finally {
    await store.close();
  }
}
