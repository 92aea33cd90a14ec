/**
 * Runs the expiry scanner over a seeded DATA_DIR in a process of its own, so that its memory is
 * measured per store size. Wired as src/compose.ts wires it (the real store, ConnectorLifecycle,
 * ProactiveSender and RateLimiter, the card templating engine loaded before the first scan as
 * src/index.ts loads it at start-up), except that the sender's transport only counts: the timing
 * measures the scan, not Teams. Prints one JSON line: each scan's duration, report and storage
 * requests (HTTP, so Azure only), and the peak RSS (sampled every 50 ms, and VmHWM at the end).
 *
 * Usage: node dist/bench/scanChild.js DATA_DIR RUNS [sqlite|azure] [legacy]
 * With `azure` the store is the Azure Table/Blob adapter (createAzureStore, default prefix, as the
 * bot opens it) on the account of AZURE_STORAGE_CONNECTION_STRING, and DATA_DIR holds nothing.
 * With `legacy` the store answers the scanner's batched calls with the previous release's
 * requests, one per notice (see legacyStore.ts), to measure the old path on the same data.
 */
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { deferUnusedTemplatingModules } from '../src/bot/onDemandModules';
import { loadTemplatingEngine } from '../src/cards/render';
import { loadConfig } from '../src/config/config';
import { ConnectorLifecycle } from '../src/connectors/lifecycle';
import { ExpiryScanner, scanConcurrency, type ScanReport } from '../src/notify/expiryScanner';
import { ProactiveSender, type ProactiveTransport } from '../src/notify/proactiveSender';
import { RateLimiter, realTiming } from '../src/notify/rateLimiter';
import type { Store } from '../src/connectors/ports';
import { systemClock } from '../src/util/clock';
import { createLogger } from '../src/util/logger';
import { memoryOf } from './common';

export interface ScanChildResult {
  /** `requests`: HTTP requests the scan made, by kind ("GET Expiry query", "POST $batch", ...). */
  /** `cpuMs`: the scanner process's own CPU time (user + system) during the scan. */
  scans: { ms: number; cpuMs: number; report: ScanReport; requests: Record<string, number> }[];
  sends: number;
  peakRssSampled: number;
  vmHwm: number;
  rssAfter: number;
}

/** "GET Connectors entity" for GET /devstoreaccount1/conciergeConnectors(PartitionKey=…,RowKey=…). */
function requestKind(method: string, requestPath: string): string {
  const [, , resource = ''] = requestPath.split('?')[0].split('/');
  const name = decodeURIComponent(resource.replace(/\(.*$/, '')).replace(/^concierge/, '');
  const kind = resource.startsWith('$batch')
    ? ''
    : /\(.+\)/.test(resource)
      ? ' entity'
      : method === 'GET'
        ? ' query'
        : ' insert';
  return `${method} ${name}${kind}`;
}

let requests: Record<string, number> = {};
subscribe('http.client.request.start', (message) => {
  const request = (message as { request: ClientRequest }).request;
  const kind = requestKind(request.method, request.path);
  requests[kind] = (requests[kind] ?? 0) + 1;
});

async function main(): Promise<void> {
  // As the bot's start-up does: a scan in the bot never waits for the engine to load.
  deferUnusedTemplatingModules();
  const [dataDir, runsArg, kind = 'sqlite', strategy = 'batched'] = process.argv.slice(2);
  const runs = Math.max(1, Number(runsArg ?? 1));
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  sample();
  const sampler = setInterval(sample, 50);

  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const logger = createLogger('warn', (line) => process.stderr.write(line + '\n'));
  // Each store's modules are loaded only when used, so that neither weighs on the other's RSS.
  let store: Store;
  if (kind === 'azure') {
    const connectionString = process.env.AZURE_STORAGE_CONNECTION_STRING;
    if (!connectionString) throw new Error('azure: AZURE_STORAGE_CONNECTION_STRING is not set');
    const { createAzureStore } = await import('../src/store/azure');
    store = await createAzureStore(connectionString, logger);
    if (strategy === 'legacy') {
      const { legacyStore } = await import('./legacyStore');
      store = legacyStore(store, await createAzureStore(connectionString, logger));
    }
  } else {
    const { createSqliteStore } = await import('../src/store/sqlite');
    store = createSqliteStore(config.dataDir);
  }
  loadTemplatingEngine();
  const lifecycle = new ConnectorLifecycle(store, systemClock, config.inactivityDays);
  let sends = 0;
  const transport: ProactiveTransport = {
    async send() {
      sends += 1;
      // A real send is I/O: yield to the event loop as one would (and let the RSS sampler run).
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
  // Teams' per-conversation windows kept; the global rate lifted so due sends do not set the pace.
  const sender = new ProactiveSender(transport, new RateLimiter(1_000_000, realTiming), logger);
  const scanner = new ExpiryScanner({
    config,
    store,
    lifecycle,
    sender,
    clock: systemClock,
    logger,
    concurrency: scanConcurrency(config.notifyRps),
  });

  const scans: ScanChildResult['scans'] = [];
  for (let i = 0; i < runs; i++) {
    requests = {};
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await scanner.scan();
    const used = process.cpuUsage(cpu);
    scans.push({
      ms: performance.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      report,
      requests,
    });
    sample();
  }
  await store.close();
  clearInterval(sampler);
  sample();
  const memory = memoryOf('self');
  const result: ScanChildResult = {
    scans,
    sends,
    peakRssSampled: peak,
    vmHwm: memory.hwm,
    rssAfter: memory.rss,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stderr.write(`scan child failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
