/**
 * `npm run migrate-store -- --from sqlite:./data --to azure`
 *
 * Copies every record of the embedded SQLite store (DATA_DIR) into the Azure store named by
 * AZURE_STORAGE_CONNECTION_STRING, or by AZURE_STORAGE_BLOB_URL + AZURE_STORAGE_TABLE_URL with the
 * bot's Azure identity (src/tools/migrateAccount.ts; read from the environment only, so a key never
 * shows in a process list), with a progress bar per table on stderr, then counts both sides and
 * prints a summary. Exit 0 when every count matches, 1 on a mismatch or an error (one line on stderr).
 *
 * Reruns are safe: every record is written create-if-absent (audit events under keys derived from
 * their position in the source log), so a second run, or a run after an interrupted one, copies
 * only what is missing and duplicates nothing. Stop the SQLite bot first: what it writes during
 * the copy is not copied.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StoreUnavailableError, type Store } from '../connectors/ports';
import { createAzureStore, DEFAULT_PREFIX } from '../store/azure';
import { mapLimit } from '../store/azure/errors';
import { AzureImporter } from '../store/azure/importer';
import { EXPORT_TABLES, SqliteExport, type ExportTable } from '../store/sqlite/exporter';
import { copiers, type Copier, type Copiers } from './migrateCopiers';
import { migrateAccount, MigrateAccountError } from './migrateAccount';
import { SECRETS_KEY_FILE } from '../secrets/secretsKey';
import { SecretBox } from '../secrets/secretBox';

/** Where the tool writes; the real streams, or buffers in tests. */
export interface MigrateIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

export interface MigrateOptions {
  /** DATA_DIR of the SQLite store. */
  from: string;
  /** Prefix of the Azure tables and containers; the bot always uses the default. */
  prefix: string;
}

/** A mistake on the command line or in the environment: one line, no stack. */
export class MigrateError extends Error {}

export const USAGE =
  'usage: npm run migrate-store -- --from sqlite:<DATA_DIR> --to azure [--prefix <name>]  ' +
  '(AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_BLOB_URL and AZURE_STORAGE_TABLE_URL with the Azure identity, and SECRETS_KEY come from the environment)';

/** Records of one table written at once (each call of the Azure store is one or a few requests). */
const CONCURRENCY = 8;
const PAGE_SIZE = 200;

/** What the progress bars and the summary call each table; every label fits LABEL_WIDTH. */
const LABELS: Record<ExportTable, string> = {
  conversations: 'conversations',
  connectors: 'connectors',
  secrets: 'secrets',
  consentRequests: 'consent requests',
  audit: 'audit',
  subscriptions: 'subscriptions',
  optOuts: 'opt-outs',
  notices: 'notices',
  snoozes: 'snoozes',
  targets: 'targets',
  botState: 'bot state',
};

const LABEL_WIDTH = 16;

/** Looks like a connection string or a key: refused on the command line, where `ps` shows it. */
const SECRET_LOOKING = /AccountKey=|SharedAccessSignature=|sig=/i;

export function parseArgs(argv: string[]): MigrateOptions | 'help' {
  // Checked before anything else, and never echoed: an error message must not repeat the key.
  if (argv.some((arg) => SECRET_LOOKING.test(arg))) {
    throw new MigrateError(
      'a connection string or key on the command line would show in the process list; set AZURE_STORAGE_CONNECTION_STRING in the environment instead',
    );
  }
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    const match = /^--(from|to|prefix)(?:=(.*))?$/.exec(arg);
    if (!match) throw new MigrateError(`unknown argument "${arg}"; ${USAGE}`);
    const value = match[2] ?? argv[++i];
    if (value === undefined || value === '') throw new MigrateError(`--${match[1]} needs a value; ${USAGE}`);
    values[match[1]] = value;
  }
  if (!values.from || !values.to) throw new MigrateError(USAGE);
  if (!values.from.startsWith('sqlite:') || values.from.length === 'sqlite:'.length)
    throw new MigrateError(`--from must be sqlite:<DATA_DIR>, got "${values.from}"`);
  if (values.to !== 'azure')
    throw new MigrateError(
      `--to must be "azure" (the account comes from the environment), got "${values.to}"`,
    );
  return { from: path.resolve(values.from.slice('sqlite:'.length)), prefix: values.prefix ?? DEFAULT_PREFIX };
}

/** A one-line bar redrawn in place with "\r"; intermediate states only on a terminal. */
class ProgressBar {
  private static readonly WIDTH = 28;
  private lastDraw = 0;

  constructor(
    private readonly io: MigrateIo,
    private readonly label: string,
    private readonly total: number,
  ) {}

  private line(done: number, note = ''): string {
    const filled = this.total === 0 ? ProgressBar.WIDTH : Math.floor((done / this.total) * ProgressBar.WIDTH);
    const bar = '#'.repeat(filled) + '-'.repeat(ProgressBar.WIDTH - filled);
    return `\r${this.label.padEnd(LABEL_WIDTH)} [${bar}] ${done}/${this.total}${note}`;
  }

  update(done: number): void {
    const now = Date.now();
    if (!this.io.stderr.isTTY || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.io.stderr.write(this.line(done));
  }

  finish(done: number, note: string): void {
    this.io.stderr.write(this.line(done, note) + '\n');
  }
}

/** The key the Azure replicas must share: SECRETS_KEY, else the SQLite bot's key file. */
function secretsKey(env: NodeJS.ProcessEnv, dataDir: string): { key: Buffer; from: string } | undefined {
  const raw = env.SECRETS_KEY?.trim();
  if (raw) {
    const key = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : Buffer.alloc(0);
    if (key.length !== 32) throw new MigrateError('SECRETS_KEY: expected 32 bytes encoded as base64');
    return { key, from: 'SECRETS_KEY' };
  }
  const file = path.join(dataDir, SECRETS_KEY_FILE);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32) throw new MigrateError(`SECRETS_KEY: ${file} does not hold a 32-byte key in base64`);
  return { key, from: file };
}

/**
 * Sealed secrets are copied as they are: the replicas on Azure can read them only with the key
 * that sealed them. Checks that the key they will be given opens the source's secrets.
 */
function checkSecretsKey(source: SqliteExport, env: NodeJS.ProcessEnv): string {
  const total = source.count('secrets');
  if (total === 0) return 'No sealed secrets to copy.';
  const found = secretsKey(env, source.dataDir);
  if (!found) {
    return `Sealed secrets were not checked: set SECRETS_KEY to the key that sealed them (the SQLite bot's SECRETS_KEY or ${SECRETS_KEY_FILE} in its DATA_DIR); every replica needs that same key.`;
  }
  const box = new SecretBox(found.key);
  let opened = 0;
  for (const page of source.pages('secrets'))
    for (const { tenantId, connectorId, sealed } of page) {
      try {
        box.open(sealed, `${tenantId}/${connectorId}`);
        opened += 1;
      } catch {
        // Counted below.
      }
    }
  if (opened === 0)
    throw new MigrateError(
      `${found.from} does not open the sealed secrets of ${source.file}: give SECRETS_KEY the key the SQLite bot used (its SECRETS_KEY, or ${SECRETS_KEY_FILE} in its DATA_DIR)`,
    );
  const unreadable = total - opened;
  const advice =
    found.from === 'SECRETS_KEY'
      ? 'give every replica this same SECRETS_KEY'
      : `set SECRETS_KEY on every replica to the content of ${found.from}`;
  return `${opened} of ${total} sealed secrets open with ${found.from === 'SECRETS_KEY' ? 'SECRETS_KEY' : found.from}: ${advice}.${unreadable > 0 ? ` ${unreadable} did not open in the source either way and are copied as they are.` : ''}`;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split(/\r?\n/)[0];
}

function fail(io: MigrateIo, reason: string): number {
  io.stderr.write(`migrate-store: ${reason}\n`);
  return 1;
}

interface Tally {
  source: number;
  copied: number;
  skipped: number;
}

/** Copies every row of one table, page by page, with its progress bar. */
async function copyTable<K extends ExportTable>(
  source: SqliteExport,
  table: K,
  copiers: Copiers,
  io: MigrateIo,
): Promise<Tally> {
  const copy: Copier<K> = copiers[table];
  const total = source.count(table);
  const bar = new ProgressBar(io, LABELS[table], total);
  const tally = { source: total, copied: 0, skipped: 0 };
  let done = 0;
  bar.update(0);
  for (const page of source.pages(table, PAGE_SIZE)) {
    const outcomes = await mapLimit(page, CONCURRENCY, async (row) => {
      const outcome = await copy(row);
      done += 1;
      bar.update(done);
      return outcome;
    });
    for (const outcome of outcomes) tally[outcome] += 1;
  }
  bar.finish(done, `  ${tally.copied} copied, ${tally.skipped} already there`);
  return tally;
}

/** Both sides' counts after the copy. */
interface Counts {
  tallies: Record<ExportTable, Tally>;
  inAzure: Awaited<ReturnType<AzureImporter['count']>>;
  sentInSource: number;
  sentInCopy: number;
}

/** Prints the table of counts; exit 0 when every count matches, else 1 with what differs. */
function reportCounts(
  io: MigrateIo,
  source: SqliteExport,
  account: string,
  prefix: string,
  keyNote: string,
  counts: Counts,
): number {
  const { tallies, inAzure, sentInSource, sentInCopy } = counts;
  const rows = EXPORT_TABLES.map((table) => ({
    label: LABELS[table],
    ...tallies[table],
    azure: inAzure[table],
  }));
  const lines = [
    `Copied ${source.file} to Azure Storage account ${account}: tables ${prefix}*, containers ${prefix}-*.`,
    `${'table'.padEnd(LABEL_WIDTH)} ${'sqlite'.padStart(7)} ${'azure'.padStart(7)} ${'copied'.padStart(7)} ${'skipped'.padStart(7)}`,
    ...rows.map(
      (r) =>
        `${r.label.padEnd(LABEL_WIDTH)} ${String(r.source).padStart(7)} ${String(r.azure).padStart(7)} ${String(r.copied).padStart(7)} ${String(r.skipped).padStart(7)}`,
    ),
    `${'notices sent'.padEnd(LABEL_WIDTH)} ${String(sentInSource).padStart(7)} ${String(sentInCopy).padStart(7)}`,
    keyNote,
  ];
  const differ = rows
    .filter((r) => r.source !== r.azure)
    .map((r) => `${r.label} (sqlite ${r.source}, azure ${r.azure})`);
  if (sentInSource !== sentInCopy) differ.push(`notices sent (sqlite ${sentInSource}, azure ${sentInCopy})`);
  lines.push(differ.length === 0 ? 'Every count matches.' : 'Counts differ.');
  io.stdout.write(lines.join('\n') + '\n');
  if (differ.length > 0) {
    const extra = rows.some((r) => r.azure > r.source)
      ? ' (the Azure store holds records the SQLite store does not: copy into a store no bot has used yet)'
      : '';
    return fail(io, `counts differ: ${differ.join('; ')}${extra}`);
  }
  return 0;
}

/** Runs the tool; resolves with the exit code. Never throws. */
export async function migrateStore(argv: string[], env: NodeJS.ProcessEnv, io: MigrateIo): Promise<number> {
  let source: SqliteExport | undefined;
  try {
    const options = parseArgs(argv);
    if (options === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { account, name, via } = await migrateAccount(env);

    source = new SqliteExport(options.from);
    const keyNote = checkSecretsKey(source, env);

    let target: Store;
    try {
      target = await createAzureStore(account, undefined, { prefix: options.prefix });
    } catch (err) {
      return fail(io, `cannot open the Azure store in account ${name} ${via}: ${firstLine(err)}`);
    }
    const importer = new AzureImporter(account, options.prefix);
    const copy = copiers(target, importer);

    const tallies = {} as Record<ExportTable, Tally>;
    for (const table of EXPORT_TABLES) tallies[table] = await copyTable(source, table, copy, io);

    const inAzure = await importer.count();
    const sentInSource = source.countSent();
    const sentInCopy = await target.notices.countSent();
    return reportCounts(io, source, `${name} ${via}`, options.prefix, keyNote, {
      tallies,
      inAzure,
      sentInSource,
      sentInCopy,
    });
  } catch (err) {
    if (err instanceof MigrateError || err instanceof MigrateAccountError) return fail(io, err.message);
    if (err instanceof StoreUnavailableError)
      return fail(io, `Azure Storage is unavailable: ${firstLine(err)}`);
    return fail(io, firstLine(err));
  } finally {
    source?.close();
  }
}

if (require.main === module) {
  void migrateStore(process.argv.slice(2), process.env, {
    stdout: process.stdout,
    stderr: process.stderr,
  }).then((code) => {
    process.exitCode = code;
  });
}
