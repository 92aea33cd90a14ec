/**
 * Seeding of the Azure Table store (the adapter in src/store/azure) for the scanner benchmark on
 * Azurite. `azureBulkLoad` is the bulk loader: it writes the adapter's own rows straight into the
 * tables with entity-group transactions of 100 rows per partition — the record and its name-order
 * copy in the tenant's partition of `<prefix>Connectors`, the expiry index row in the partition of
 * its clock start's UTC day in `<prefix>Expiry` (and a consent index row for a connector awaiting
 * consent) — not through the store, which makes five requests per connector. The row layout is the
 * adapter's: keys and documents come from its own functions, and `checkRowsMatchAdapter` compares
 * the loader's rows with the rows the adapter writes for the same connectors.
 */
import { TableClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import type { Connector } from '../src/connectors/connector';
import type { Store } from '../src/connectors/ports';
import { createAzureStore, DEFAULT_PREFIX, TABLE_SUFFIXES } from '../src/store/azure';
import { allowsHttp } from '../src/store/azure/clients';
import { consentKeys, expiryKeys } from '../src/store/azure/connectorIndex';
import { REC } from '../src/store/azure/connectorStore';
import { escapeKey, orderedKey, orderedUniqueKey, packDoc } from '../src/store/azure/keys';
import { DAY_MS } from '../src/util/clock';
import { pool } from './common';
import { dueAgeMs, layout, type LoadSpec } from './seed';

/** Rows of one entity-group transaction: the Table service's limit. */
const BATCH_ROWS = 100;
/** Transactions in flight at once. */
const CONCURRENCY = 8;

type Row = TableEntity<Record<string, unknown>>;

/** The name-order row key, as AzureConnectorStore writes it (its `nameRowKey`, which is not exported). */
function nameRowKey(c: Connector): string {
  return `name|${orderedKey(c.displayName.trim().toLowerCase())}-${orderedUniqueKey(c.id)}`;
}

/** The record row and its name-order copy: AzureConnectorStore's `entity()` under both keys. */
export function recordRows(c: Connector): Row[] {
  const body = { partitionKey: escapeKey(c.tenantId), ...packDoc(c), version: c.version, status: c.status };
  return [
    { ...body, rowKey: REC + escapeKey(c.id) },
    { ...body, rowKey: nameRowKey(c) },
  ];
}

/**
 * The index rows of a connector as a committed write leaves them (confirmed by
 * `ConnectorIndex.afterWrite`, with a copy of the record): expiry when live, consent when awaiting consent.
 */
export function indexRows(c: Connector, at: number): { expiry?: Row; consent?: Row } {
  const row = (keys: { partitionKey: string; rowKey: string } | undefined) =>
    keys && { ...keys, t: c.tenantId, i: c.id, at, ...packDoc(c) };
  return { expiry: row(expiryKeys(c)), consent: row(consentKeys(c)) };
}

/**
 * Batches actions per partition of one table and submits each batch of {@link BATCH_ROWS} as one
 * transaction, at most {@link CONCURRENCY} at once over all the writer's tables.
 */
class TransactionWriter {
  private readonly open = new Map<string, { table: TableClient; pk: string; actions: TransactionAction[] }>();
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  transactions = 0;
  rows = 0;

  async add(table: TableClient, action: TransactionAction): Promise<void> {
    const pk = action[1].partitionKey;
    const key = `${table.tableName}\u0000${pk}`;
    let batch = this.open.get(key);
    if (!batch) this.open.set(key, (batch = { table, pk, actions: [] }));
    batch.actions.push(action);
    if (batch.actions.length === BATCH_ROWS) {
      this.open.delete(key);
      await this.submit(batch.table, batch.actions);
    }
  }

  /** Submits the partly filled batch of one partition now (its rows are all added). */
  async end(table: TableClient, pk: string): Promise<void> {
    const key = `${table.tableName}\u0000${pk}`;
    const batch = this.open.get(key);
    if (!batch) return;
    this.open.delete(key);
    await this.submit(batch.table, batch.actions);
  }

  private async submit(table: TableClient, actions: TransactionAction[]): Promise<void> {
    while (this.inFlight.size >= CONCURRENCY) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
    const request: Promise<void> = table
      .submitTransaction(actions)
      .then(() => {
        this.transactions += 1;
        this.rows += actions.length;
      })
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  /** Submits every partly filled batch and waits for all; throws the first failure. */
  async flush(): Promise<void> {
    const rest = [...this.open.values()];
    this.open.clear();
    for (const batch of rest) await this.submit(batch.table, batch.actions);
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }
}

interface Tables {
  connectors: TableClient;
  expiry: TableClient;
  consent: TableClient;
}

/**
 * The loader's own clients: no per-try timeout (the adapter's 5 s would abort and retry a batch
 * that a busy emulator is still writing, and the retry would then fail on rows that exist).
 */
function tablesOf(connectionString: string, prefix: string): Tables {
  const client = (suffix: string) =>
    TableClient.fromConnectionString(connectionString, `${prefix}${suffix}`, {
      allowInsecureConnection: allowsHttp(connectionString),
    });
  return {
    connectors: client(TABLE_SUFFIXES.connectors),
    expiry: client(TABLE_SUFFIXES.expiry),
    consent: client(TABLE_SUFFIXES.consent),
  };
}

async function writeConnector(writer: TransactionWriter, tables: Tables, c: Connector, at: number) {
  const index = indexRows(c, at);
  // Index rows first, as the adapter writes them (a record is never without its row).
  if (index.expiry) await writer.add(tables.expiry, ['create', index.expiry]);
  if (index.consent) await writer.add(tables.consent, ['create', index.consent]);
  for (const row of recordRows(c)) await writer.add(tables.connectors, ['create', row]);
}

export interface AzureLoadResult {
  connectors: number;
  tenants: number;
  due: number;
  rows: number;
  transactions: number;
  ms: number;
}

/**
 * Creates the store's tables (through createAzureStore, with the default prefix the bot uses),
 * adds one subscription per tenant through the store, and writes `spec.connectors` connectors
 * over `spec.tenants` tenants (the same ones {@link layout} gives the SQLite loader) as raw rows.
 */
export async function azureBulkLoad(
  connectionString: string,
  spec: LoadSpec,
  prefix = DEFAULT_PREFIX,
): Promise<AzureLoadResult> {
  const started = performance.now();
  const store = await createAzureStore(connectionString, undefined, { prefix });
  const tables = tablesOf(connectionString, prefix);
  const writer = new TransactionWriter();
  const subscriptions: NonNullable<ReturnType<NonNullable<LoadSpec['subscription']>>>[] = [];
  let connectors = 0;
  let due = 0;
  const at = Date.now();
  for (const tenant of layout(spec)) {
    if (tenant.subscription) subscriptions.push(tenant.subscription);
    for (const c of tenant.connectors) {
      await writeConnector(writer, tables, c.doc, at);
      connectors += 1;
      if (c.isDue) due += 1;
    }
    // The tenant's partition is complete: send it now rather than hold every tenant until the end.
    await writer.end(tables.connectors, escapeKey(tenant.tenantId));
  }
  await writer.flush();
  // One row per tenant, in partitions of their own: through the store (it is one request each).
  await pool(subscriptions, CONCURRENCY, async (s) => {
    await store.subscriptions.add(s);
  });
  await store.close();
  return {
    connectors,
    tenants: spec.tenants,
    due,
    rows: writer.rows + subscriptions.length,
    transactions: writer.transactions,
    ms: performance.now() - started,
  };
}

/**
 * Makes every `every`-th connector of the load (by position, as the SQLite `makeDue`) 60–89 days
 * old, as an update through the adapter would leave it (version aside, as in SQLite): the new
 * expiry row first, then the record and its name copy, then the old expiry row deleted.
 * Returns how many changed.
 */
export async function azureMakeDue(
  connectionString: string,
  spec: LoadSpec,
  every: number,
  now: number,
  prefix = DEFAULT_PREFIX,
): Promise<number> {
  const tables = tablesOf(connectionString, prefix);
  const changes: { before: Connector; after: Connector }[] = [];
  for (const tenant of layout(spec))
    for (const c of tenant.connectors) {
      if (c.index % every !== every - 1) continue;
      const at = new Date(now - dueAgeMs(changes.length)).toISOString();
      changes.push({ before: c.doc, after: { ...c.doc, createdAt: at, authorizedAt: at } });
    }
  const at = Date.now();
  const phase = async (actions: (change: (typeof changes)[number]) => [TableClient, TransactionAction][]) => {
    const writer = new TransactionWriter();
    for (const change of changes)
      for (const [table, action] of actions(change)) await writer.add(table, action);
    await writer.flush();
  };
  await phase(({ after }) => {
    const index = indexRows(after, at);
    return index.expiry ? [[tables.expiry, ['upsert', index.expiry, 'Replace']]] : [];
  });
  await phase(({ after }) =>
    recordRows(after).map(
      (row) => [tables.connectors, ['update', row, 'Replace']] as [TableClient, TransactionAction],
    ),
  );
  await phase(({ before }) => {
    const old = expiryKeys(before);
    return old ? [[tables.expiry, ['delete', { ...old }]]] : [];
  });
  return changes.length;
}

/** Counts what `listExpiring(before)` returns through the store, page by page. */
export async function countExpiring(store: Store, before: Date): Promise<number> {
  let found = 0;
  let cursor: string | undefined;
  do {
    const page = await store.connectors.listExpiring(before, { limit: 5000, cursor });
    found += page.items.length;
    cursor = page.next;
  } while (cursor);
  return found;
}

/** How many connectors of a load have a clock start at or before `beforeMs`. */
export function expectedExpiring(spec: LoadSpec, beforeMs: number): number {
  let n = 0;
  for (const tenant of layout(spec)) for (const c of tenant.connectors) if (c.clock <= beforeMs) n += 1;
  return n;
}

/** A row as read back, without what the service sets (ETag, Timestamp) and with `at` reduced to its type. */
function comparable(row: Record<string, unknown>): string {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row))
    if (k !== 'etag' && k !== 'timestamp' && k !== 'odata.metadata')
      rest[k] = k === 'at' ? `<${typeof v}>` : v;
  return JSON.stringify(
    Object.keys(rest)
      .sort()
      .map((k) => [k, rest[k]]),
  );
}

async function rowsOf(table: TableClient): Promise<string[]> {
  const rows: string[] = [];
  for await (const row of table.listEntities()) rows.push(comparable(row));
  return rows.sort();
}

/**
 * Writes sample connectors (a live one, one awaiting consent, one with an awkward id and name)
 * through the real adapter under `prefix`, and the same through the loader's row functions under
 * `prefix`+"raw", then compares every row of the three connector tables; throws on a difference.
 */
export async function checkRowsMatchAdapter(connectionString: string, prefix = 'benchcheck'): Promise<void> {
  const now = Date.now();
  const tenant = '00000000-0000-4000-8000-00000000c0de';
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY_MS).toISOString();
  const samples: Connector[] = [
    {
      id: 'c0ffee00-0000-4000-8000-000000000001',
      tenantId: tenant,
      type: 'box',
      displayName: '  Migration 7 ',
      status: 'authorized',
      createdAt: at(61),
      authorizedAt: at(61),
      lastTransferAt: at(40),
      version: 1,
    },
    {
      id: 'c0ffee00-0000-4000-8000-000000000002',
      tenantId: tenant,
      type: 'dropbox',
      displayName: 'Équipe Ventes / Q3 #2',
      status: 'awaiting-consent',
      createdAt: at(3),
      version: 1,
    },
    {
      id: 'ID with spaces|and/slash',
      tenantId: tenant,
      type: 'office365',
      displayName: 'x'.repeat(300),
      status: 'authorized',
      createdAt: at(10),
      authorizedAt: at(10),
      version: 1,
    },
  ];
  const store = await createAzureStore(connectionString, undefined, { prefix });
  for (const c of samples) await store.connectors.create(c);
  await store.close();

  const raw = await createAzureStore(connectionString, undefined, { prefix: `${prefix}raw` });
  await raw.close();
  const rawTables = tablesOf(connectionString, `${prefix}raw`);
  const writer = new TransactionWriter();
  for (const c of samples) await writeConnector(writer, rawTables, c, now);
  await writer.flush();

  const adapterTables = tablesOf(connectionString, prefix);
  for (const kind of ['connectors', 'expiry', 'consent'] as const) {
    const [expected, actual] = await Promise.all([rowsOf(adapterTables[kind]), rowsOf(rawTables[kind])]);
    if (JSON.stringify(expected) !== JSON.stringify(actual))
      throw new Error(
        `Azure bulk loader: ${kind} rows differ from the adapter's:\nadapter: ${expected.join('\n')}\nloader:  ${actual.join('\n')}`,
      );
  }
}
