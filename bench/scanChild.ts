/**
 * Runs the expiry scanner over a seeded DATA_DIR in a process of its own, so that its memory is
 * measured per store size. Wired as createBot wires it (the real store, ConnectorLifecycle,
 * ProactiveSender and RateLimiter), except that the sender's transport only counts: the timing
 * measures the scan, not Teams. Prints one JSON line: each scan's duration and report, and the
 * peak RSS (sampled every 50 ms, and VmHWM at the end).
 *
 * Usage: node dist/bench/scanChild.js DATA_DIR RUNS
 */
import { loadConfig } from '../src/config/config';
import { ConnectorLifecycle } from '../src/connectors/lifecycle';
import { ExpiryScanner, type ScanReport } from '../src/notify/expiryScanner';
import { ProactiveSender, type ProactiveTransport } from '../src/notify/proactiveSender';
import { RateLimiter, realTiming } from '../src/notify/rateLimiter';
import { createSqliteStore } from '../src/store/sqlite';
import { systemClock } from '../src/util/clock';
import { createLogger } from '../src/util/logger';
import { memoryOf } from './common';

export interface ScanChildResult {
  scans: { ms: number; report: ScanReport }[];
  sends: number;
  peakRssSampled: number;
  vmHwm: number;
  rssAfter: number;
}

async function main(): Promise<void> {
  const [dataDir, runsArg] = process.argv.slice(2);
  const runs = Math.max(1, Number(runsArg ?? 1));
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  sample();
  const sampler = setInterval(sample, 50);

  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  const logger = createLogger('warn', (line) => process.stderr.write(line + '\n'));
  const store = createSqliteStore(config.dataDir);
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
  const scanner = new ExpiryScanner({ config, store, lifecycle, sender, clock: systemClock, logger });

  const scans: ScanChildResult['scans'] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const report = await scanner.scan();
    scans.push({ ms: performance.now() - started, report });
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
