/**
 * Runs the OneDrive provisioning check (checkUserProvisioning, default limits) against the fake
 * Graph through the real MsGraphGateway, in a process of its own so that its memory is measured
 * alone. Prints one JSON line: the tally, time, progress reports and peak RSS.
 *
 * Usage: node dist/bench/provisioningChild.js TENANT_ID; the gateway options (clientId,
 * clientSecret, authorityHost, graphEndpoint, ca) come as JSON in BENCH_GRAPH.
 */
import { DEFAULT_DIAGNOSTIC_LIMITS } from '../src/diagnostics/finding';
import { checkUserProvisioning } from '../src/diagnostics/userProvisioningCheck';
import { MsGraphGateway } from '../src/graph/graphGateway';
import { createLogger } from '../src/util/logger';
import { UTC_DATES } from '../src/util/dates';
import { memoryOf } from './common';

export interface ProvisioningChildResult {
  ms: number;
  status: string;
  found: string;
  listed: number;
  progressReports: number;
  retriedWaits: number;
  peakRssSampled: number;
  vmHwm: number;
}

async function main(): Promise<void> {
  const [tenantId] = process.argv.slice(2);
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const sampler = setInterval(sample, 50);
  const logger = createLogger('warn', (line) => process.stderr.write(line + '\n'));
  let retriedWaits = 0;
  const gateway = new MsGraphGateway({
    ...(JSON.parse(process.env.BENCH_GRAPH ?? '{}') as {
      clientId: string;
      clientSecret: string;
      authorityHost: string;
      graphEndpoint: string;
      ca: string;
    }),
    logger,
    sleep: (ms) => {
      retriedWaits += 1;
      return new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  let progressReports = 0;
  const started = performance.now();
  const finding = await checkUserProvisioning(gateway, tenantId, {
    adminConsentLink: 'https://aka.ms/office365moverauth',
    cloud: 'global',
    inactivityDays: 90,
    firstNoticeDays: 14,
    now: new Date(),
    dates: UTC_DATES,
    asker: { name: 'bench' },
    connectors: [],
    limits: DEFAULT_DIAGNOSTIC_LIMITS,
    elapsed: () => performance.now(),
    progress: () => {
      progressReports += 1;
    },
  });
  const ms = performance.now() - started;
  gateway.close();
  clearInterval(sampler);
  sample();
  const result: ProvisioningChildResult = {
    ms,
    status: finding.status,
    found: finding.found,
    listed: finding.script?.userEmails.length ?? 0,
    progressReports,
    retriedWaits,
    peakRssSampled: peak,
    vmHwm: memoryOf('self').hwm,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stderr.write(`provisioning child failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
