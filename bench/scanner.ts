/**
 * Scanner scaling: the SQLite store bulk-loaded with 10,000 / 100,000 / 1,000,000 connectors over
 * 1,000 to 10,000 tenants (one subscribed channel each), scanned with none due and with 1% due,
 * each size in a scanner process of its own so that its peak RSS is its own. Then the same on the
 * Azure Table/Blob adapter against Azurite at 100,000 (10,000 with --size small).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from '../src/config/config';
import { DEFAULT_PREFIX, TABLE_SUFFIXES, createAzureStore } from '../src/store/azure';
import { tableClient } from '../src/store/azure/clients';
import { DATABASE_FILE } from '../src/store/sqlite/database';
import { DAY_MS } from '../src/util/clock';
import { startAzurite } from '../test/support/azurite';
import {
  azureBulkLoad,
  azureMakeDue,
  checkRowsMatchAdapter,
  countExpiring,
  expectedExpiring,
  type AzureLoadResult,
} from './azureSeed';
import {
  ROOT,
  childPids,
  count,
  log,
  median,
  memoryOf,
  removeDir,
  tempDir,
  type BenchOptions,
} from './common';
import type { ScanChildResult } from './scanChild';
import { bulkLoad, channelSubscription, makeDue, type LoadSpec } from './seed';
import { atMost, mb, ms, ratio, type Row, type Section } from './table';

const RSS_LIMIT = 300 * 1024 * 1024;
const ZERO_DUE_RUNS = 21;

interface Size {
  connectors: number;
  tenants: number;
}

interface SizeResult extends Size {
  loadMs: number;
  fileBytes: number;
  none: ScanChildResult;
  due: ScanChildResult;
  dueCount: number;
}

/** Runs scanChild.js over `dataDir` (SQLite), or over the Azure account of `azureConnectionString`. */
function runScanChild(
  dataDir: string,
  runs: number,
  azureConnectionString?: string,
  legacy = false,
): Promise<ScanChildResult> {
  const args = [path.join(__dirname, 'scanChild.js'), dataDir, String(runs)];
  if (azureConnectionString) args.push('azure');
  if (legacy) args.push('legacy');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
        // From the environment, as the bot reads it (Azurite's well-known development key).
        ...(azureConnectionString ? { AZURE_STORAGE_CONNECTION_STRING: azureConnectionString } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`scan child exited with ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ScanChildResult);
      } catch (e) {
        reject(new Error(`scan child printed no result: ${(e as Error).message}; ${err}`));
      }
    });
  });
}

async function measureSize(size: Size): Promise<SizeResult> {
  const dataDir = tempDir('scanner');
  try {
    log(`scanner: loading ${count(size.connectors)} connectors over ${count(size.tenants)} tenants`);
    const load = bulkLoad(dataDir, {
      connectors: size.connectors,
      tenants: size.tenants,
      dueEvery: 0,
      now: Date.now(),
      // Scans never send here: the scanner process's transport only counts.
      subscription: (t, tenant) =>
        channelSubscription(tenant, `19:bench${t}@thread.tacv2`, 'http://127.0.0.1:9/'),
    });
    const fileBytes = fs.statSync(path.join(dataDir, DATABASE_FILE)).size;
    log(`scanner: loaded in ${ms(load.ms)} (${mb(fileBytes)}); ${ZERO_DUE_RUNS} scans with none due`);
    const none = await runScanChild(dataDir, ZERO_DUE_RUNS);
    const dueCount = makeDue(dataDir, 100, Date.now());
    log(`scanner: ${count(dueCount)} made due (1%); one scan`);
    const due = await runScanChild(dataDir, 1);
    return { ...size, loadMs: load.ms, fileBytes, none, due, dueCount };
  } finally {
    removeDir(dataDir);
  }
}

interface AzureResult extends Size {
  load: AzureLoadResult;
  /** listExpiring through the adapter after the load: connectors at most 57 days old, found / expected. */
  probe: { found: number; expected: number };
  /** listExpiring at the scanner's horizon: after the load (expected 0), after making 1% due. */
  dueFound: { before: number; after: number };
  makeDueMs: number;
  none: ScanChildResult;
  due: ScanChildResult;
  /** The same 1%-due scan with the previous release's requests (legacyStore.ts), run first. */
  dueLegacy: ScanChildResult;
  dueCount: number;
  /** Azurite's own peak RSS (VmHWM), NaN when its process was not found. */
  azuriteHwm: number;
}

/**
 * The scanner over the Azure adapter on a fresh in-memory Azurite: bulk-loaded rows (checked
 * against the adapter's own writes and through its listExpiring), 21 scans with none due, then 1%
 * made due and one scan, each run in a scanner process of its own as for SQLite.
 */
async function measureAzure(size: Size): Promise<AzureResult> {
  const dataDir = tempDir('scanner-azure'); // DATA_DIR of the scanner's config; nothing is written there
  const azurite = await startAzurite({ services: ['blob', 'table'] });
  try {
    const cs = azurite.connectionString;
    await checkRowsMatchAdapter(cs);
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    // The scanner's horizon: notices are due from (inactivityDays - the largest notice day) on.
    const horizon = () =>
      new Date(Date.now() - (config.inactivityDays - Math.max(...config.expiryNoticeDays)) * DAY_MS);
    const spec: LoadSpec = {
      connectors: size.connectors,
      tenants: size.tenants,
      dueEvery: 0,
      now: Date.now(),
      subscription: (t, tenant) =>
        channelSubscription(tenant, `19:bench${t}@thread.tacv2`, 'http://127.0.0.1:9/'),
    };
    log(`scanner: Azurite: loading ${count(size.connectors)} connectors over ${count(size.tenants)} tenants`);
    const load = await azureBulkLoad(cs, spec);
    log(
      `scanner: Azurite: loaded in ${ms(load.ms)} (${count(load.rows)} rows, ${count(load.transactions)} transactions); checking through the adapter`,
    );
    const store = await createAzureStore(cs);
    const probeMs = spec.now - 57 * DAY_MS;
    const probe = {
      found: await countExpiring(store, new Date(probeMs)),
      expected: expectedExpiring(spec, probeMs),
    };
    const dueBefore = await countExpiring(store, horizon());
    if (probe.found !== probe.expected || dueBefore !== 0)
      throw new Error(
        `Azure bulk load: listExpiring found ${probe.found} of ${probe.expected} connectors at most 57 days old and ${dueBefore} (expected 0) due`,
      );
    log(`scanner: Azurite: ${ZERO_DUE_RUNS} scans with none due`);
    const none = await runScanChild(dataDir, ZERO_DUE_RUNS, cs);
    const makeDueStarted = performance.now();
    const dueCount = await azureMakeDue(cs, spec, 100, Date.now());
    const makeDueMs = performance.now() - makeDueStarted;
    const dueAfter = await countExpiring(store, horizon());
    if (dueAfter !== dueCount)
      throw new Error(`Azure make-due: listExpiring found ${dueAfter} of ${dueCount} due connectors`);
    await store.close();
    log(
      `scanner: Azurite: ${count(dueCount)} made due (1%) in ${ms(makeDueMs)}; one scan with the previous release's requests`,
    );
    const dueLegacy = await runScanChild(dataDir, 1, cs, true);
    // The ledger emptied, so that the same notices are due again for the scan of this release.
    const notices = tableClient(cs, `${DEFAULT_PREFIX}${TABLE_SUFFIXES.notices}`);
    await notices.deleteTable();
    await notices.createTable();
    log(`scanner: Azurite: ledger emptied; one scan with this release's requests`);
    const due = await runScanChild(dataDir, 1, cs);
    const [azuritePid] = childPids('azurite');
    const azuriteHwm = azuritePid === undefined ? NaN : memoryOf(azuritePid).hwm;
    return {
      ...size,
      load,
      probe,
      dueFound: { before: dueBefore, after: dueAfter },
      makeDueMs,
      none,
      due,
      dueLegacy,
      dueCount,
      azuriteHwm,
    };
  } finally {
    await azurite.stop();
    removeDir(dataDir);
  }
}

/** "1,000 GET Connectors entity, 1,000 POST Notices insert, …", most first. */
function requestSummary(requests: Record<string, number>): string {
  const entries = Object.entries(requests).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  return `${count(total)} request${total === 1 ? '' : 's'} (${entries.map(([kind, n]) => `${count(n)} ${kind}`).join(', ')})`;
}

export async function runScanner(options: BenchOptions): Promise<Section> {
  const sizes: Size[] = [
    { connectors: 10_000, tenants: 1_000 },
    { connectors: 100_000, tenants: 3_000 },
  ];
  if (options.size === 'full') sizes.push({ connectors: 1_000_000, tenants: 10_000 });
  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await measureSize(size));
  // Azure at 100,000 (and at 10,000 first, for its own scaling); --size small: 10,000 only.
  const azureSizes: Size[] = [{ connectors: 10_000, tenants: 1_000 }];
  if (options.size === 'full') azureSizes.push({ connectors: 100_000, tenants: 3_000 });
  const azure: AzureResult[] = [];
  for (const size of azureSizes) azure.push(await measureAzure(size));

  const rows: Row[] = [];
  const notes: string[] = [];
  const base = results[0];
  const zeroMs = (r: SizeResult) => median(r.none.scans.map((s) => s.ms));
  const peak = (r: SizeResult) =>
    Math.max(r.none.vmHwm, r.none.peakRssSampled, r.due.vmHwm, r.due.peakRssSampled);
  const label = (r: Size) => `${count(r.connectors)} connectors / ${count(r.tenants)} tenants`;

  for (const r of results) {
    const isTop = r.connectors === 1_000_000;
    rows.push({
      measure: `scan, 0 due, ${label(r)} (median of ${ZERO_DUE_RUNS})`,
      bot: ms(zeroMs(r)),
      baseline: ms(zeroMs(base)),
      ratio: ratio(zeroMs(r), zeroMs(base)),
      target: isTop ? '≤ 2×' : '—',
      verdict: isTop ? atMost(zeroMs(r) / zeroMs(base), 2) : '',
    });
    const checked = r.none.scans.map((s) => s.report.connectorsChecked);
    if (checked.some((c) => c !== 0))
      notes.push(`${label(r)}: a 0-due scan read ${checked.join(', ')} connectors`);
  }
  for (const r of results) {
    const scan = r.due.scans[0];
    rows.push({
      measure: `scan, 1% due, ${label(r)} (${count(r.dueCount)} notices)`,
      bot: ms(scan.ms),
      baseline: ms(base.due.scans[0].ms),
      ratio: ratio(scan.ms, base.due.scans[0].ms),
      target: '—',
      verdict: '',
    });
    const report = scan.report;
    if (report.sent !== r.dueCount || report.failed !== 0)
      notes.push(
        `${label(r)}: 1% scan sent ${report.sent} of ${r.dueCount} notices (${report.failed} failed)`,
      );
    notes.push(
      `${label(r)}: peak RSS ${mb(Math.max(r.none.vmHwm, r.none.peakRssSampled))} with none due, ${mb(Math.max(r.due.vmHwm, r.due.peakRssSampled))} with 1% due; 1% scan read ${count(report.connectorsChecked)} connectors from the index, sent ${count(report.sent)} notices in ${count(r.due.sends)} digests (${((scan.ms / Math.max(1, report.sent)) * 1000).toFixed(0)} µs a notice); bulk load ${ms(r.loadMs)}, file ${mb(r.fileBytes)}; 0-due scans: first ${ms(r.none.scans[0].ms)}, slowest ${ms(Math.max(...r.none.scans.map((s) => s.ms)))}`,
    );
  }
  for (const r of results) {
    rows.push({
      measure: `peak RSS of the scanner process, ${label(r)}`,
      bot: mb(peak(r)),
      baseline: mb(peak(base)),
      ratio: ratio(peak(r), peak(base)),
      target: '< 300 MB',
      verdict: atMost(peak(r), RSS_LIMIT - 1),
    });
  }
  // Azure: the largest size in the table, against the same baseline (the SQLite 10,000 scan).
  const top = azure[azure.length - 1];
  const azureLabel = (r: AzureResult) => `${label(r)} on Azurite`;
  const azurePeak = (r: AzureResult) =>
    Math.max(r.none.vmHwm, r.none.peakRssSampled, r.due.vmHwm, r.due.peakRssSampled);
  const azureZeroMs = (r: AzureResult) => median(r.none.scans.map((s) => s.ms));
  rows.push({
    measure: `scan on Azurite (Azure Table adapter), 0 due, ${label(top)} (median of ${ZERO_DUE_RUNS})`,
    bot: ms(azureZeroMs(top)),
    baseline: ms(zeroMs(base)),
    ratio: ratio(azureZeroMs(top), zeroMs(base)),
    target: '≤ 2×',
    verdict: atMost(azureZeroMs(top) / zeroMs(base), 2),
  });
  rows.push({
    measure: `scan on Azurite (Azure Table adapter), 1% due, ${label(top)} (${count(top.dueCount)} notices)`,
    bot: ms(top.due.scans[0].ms),
    baseline: ms(base.due.scans[0].ms),
    ratio: ratio(top.due.scans[0].ms, base.due.scans[0].ms),
    target: '—',
    verdict: '',
  });
  const requestsOf = (r: ScanChildResult) =>
    Object.values(r.scans[0].requests).reduce((sum, n) => sum + n, 0);
  const perNotice = (r: ScanChildResult) => requestsOf(r) / Math.max(1, r.scans[0].report.sent);
  const speedup = top.dueLegacy.scans[0].ms / top.due.scans[0].ms;
  rows.push({
    measure: `1%-due scan on Azurite, ${label(top)}: this release against the previous release's requests (same data, same run, the old path first)`,
    bot: ms(top.due.scans[0].ms),
    baseline: ms(top.dueLegacy.scans[0].ms),
    ratio: ratio(top.due.scans[0].ms, top.dueLegacy.scans[0].ms),
    target: '≤ 0.33× (3× faster)',
    verdict: atMost(1 / speedup, 1 / 3),
  });
  rows.push({
    measure: `storage requests per notice sent, 1%-due scan on Azurite, ${label(top)} (this release / previous release's requests)`,
    bot: perNotice(top.due).toFixed(1),
    baseline: perNotice(top.dueLegacy).toFixed(1),
    ratio: ratio(perNotice(top.due), perNotice(top.dueLegacy)),
    target: '≤ 3',
    // To one decimal, as the figure is read: the few requests a scan makes once (index query,
    // subscription pages, snooze query) are spread over its notices; the notes give the exact count.
    verdict: atMost(Number(perNotice(top.due).toFixed(1)), 3),
  });
  rows.push({
    measure: `peak RSS of the scanner process on Azurite (Azure Table adapter), ${label(top)}`,
    bot: mb(azurePeak(top)),
    baseline: mb(peak(base)),
    ratio: ratio(azurePeak(top), peak(base)),
    target: '< 300 MB',
    verdict: atMost(azurePeak(top), RSS_LIMIT - 1),
  });
  for (const r of azure) {
    const legacy = r.dueLegacy.scans[0];
    notes.push(
      `${azureLabel(r)}: the same 1% scan with the previous release's requests (bench/legacyStore.ts: a snooze read per due connector, a subscriptions query per tenant, a claim per notice, a read and an update to mark it, an audit transaction; run first, then the ledger emptied): ${ms(legacy.ms)} (scanner CPU ${ms(legacy.cpuMs)}), sent ${count(legacy.report.sent)} notices with ${requestSummary(legacy.requests)}`,
    );
    const scan = r.due.scans[0];
    const report = scan.report;
    const checked = r.none.scans.map((s) => s.report.connectorsChecked);
    if (checked.some((c) => c !== 0))
      notes.push(`${azureLabel(r)}: a 0-due scan read ${checked.join(', ')} connectors`);
    if (report.sent !== r.dueCount || report.failed !== 0)
      notes.push(
        `${azureLabel(r)}: 1% scan sent ${report.sent} of ${r.dueCount} notices (${report.failed} failed)`,
      );
    const rowsPerS = r.load.rows / (r.load.ms / 1000);
    notes.push(
      `${azureLabel(r)}: bulk load ${ms(r.load.ms)} (${count(r.load.rows)} rows — record, name copy and expiry index row per connector, one subscription per tenant — in ${count(r.load.transactions)} transactions of up to 100 rows, ${count(Math.round(rowsPerS))} rows/s); loader rows identical to the adapter's own writes (sample connectors, connector, expiry and consent tables); through the adapter listExpiring found ${count(r.probe.found)} of ${count(r.probe.expected)} connectors at most 57 days old, ${r.dueFound.before} due after the load and ${count(r.dueFound.after)} of ${count(r.dueCount)} after 1% was made due (in ${ms(r.makeDueMs)})`,
    );
    notes.push(
      `${azureLabel(r)}: 0-due scans: median ${ms(azureZeroMs(r))}, first ${ms(r.none.scans[0].ms)}, slowest ${ms(Math.max(...r.none.scans.map((s) => s.ms)))}, ${requestSummary(r.none.scans[r.none.scans.length - 1].requests)} each; 1% scan ${ms(scan.ms)} (scanner CPU ${ms(scan.cpuMs)}): read ${count(report.connectorsChecked)} connectors from the index, sent ${count(report.sent)} notices in ${count(r.due.sends)} digests (${((scan.ms / Math.max(1, report.sent)) * 1000).toFixed(0)} µs a notice) with ${requestSummary(scan.requests)}; peak RSS ${mb(Math.max(r.none.vmHwm, r.none.peakRssSampled))} with none due, ${mb(Math.max(r.due.vmHwm, r.due.peakRssSampled))} with 1% due; Azurite's own peak RSS ${mb(r.azuriteHwm)}`,
    );
  }
  notes.push(
    'Azurite: in-memory, on loopback, sharing the cores with the scanner process; it evaluates a query’s filter over every row of the table (no partition ranges, unlike Azure Table storage, which reads only the day partitions up to the horizon), so its 0-due scan grows with the expiry table, and every request is a local HTTP round trip — times on a real account differ (network latency per request, partition-range queries)',
  );
  notes.push(
    'scanner wired as src/compose.ts wires it (real store: SQLite, or the Azure adapter on Azurite; lifecycle, ledger and audit writes, ProactiveSender with Teams’ per-conversation windows) except that the transport only counts and the global rate is lifted, so the time is the scan’s',
  );
  return { title: 'Scanner scaling (baseline: the 10,000 scan)', rows, notes };
}
