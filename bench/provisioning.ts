/**
 * Diagnostics at scale (issue 18): the OneDrive provisioning check over a tenant of 100,000
 * licensed users (10,000 with --size small) on the fake Graph with its `$batch` throttling on,
 * through the real Graph client in a process of its own (provisioningChild.ts). Counted at the
 * fake: pages, batches, look-ups (retries included), 429s inside batches.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { reply, startFakeMicrosoftCloud, graphError } from '../test/support/fakeMicrosoftCloud';
import { count, log, MB, ROOT, type BenchOptions } from './common';
import type { ProvisioningChildResult } from './provisioningChild';
import { atMost, mb, ms, type Section } from './table';

/** User i: licensed unless i % 21 == 20 (1 in 21 unlicensed), without a OneDrive when i % 97 == 0. */
const licensed = (i: number) => i % 21 !== 20;
const provisioned = (i: number) => i % 97 !== 0;

function runChild(tenantId: string, graph: object): Promise<ProvisioningChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'provisioningChild.js'), tenantId], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
        BENCH_GRAPH: JSON.stringify(graph),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err = (err + c.toString('utf8')).slice(-4000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`provisioning child exited with ${code}: ${err}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ProvisioningChildResult);
      } catch (e) {
        reject(new Error(`provisioning child printed no result: ${(e as Error).message}; ${err}`));
      }
    });
  });
}

export async function runProvisioning(options: BenchOptions): Promise<Section> {
  const wantLicensed = options.size === 'small' ? 10_000 : 100_000;
  // Users 0..total-1 hold exactly wantLicensed licensed ones (20 of every 21).
  const total = (wantLicensed / 20) * 21;
  let wantMissing = 0;
  for (let i = 0; i < total; i++) if (licensed(i) && !provisioned(i)) wantMissing += 1;
  const throttleEvery = Number(process.env.BENCH_GRAPH_THROTTLE_EVERY ?? 200);

  const cloud = await startFakeMicrosoftCloud();
  try {
    cloud.graph.recording = false;
    const tenant = cloud.addTenant({ empty: true });
    const user = (i: number) => ({
      id: `u${i}`,
      userPrincipalName: `user${i}@${tenant.domain}`,
      assignedLicenses: licensed(i)
        ? [{ skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', disabledPlans: [] }]
        : [],
    });
    // The directory is made up page by page as Graph's paging asks for it, never held whole.
    cloud.graph.on('GET', '/users', (req) => {
      const offset = Number(req.query.get('$skiptoken') ?? '0') || 0;
      const size = Math.min(req.top ?? 100, 999);
      const items = Array.from({ length: Math.max(0, Math.min(size, total - offset)) }, (_, k) =>
        user(offset + k),
      );
      const body: Record<string, unknown> = { value: items };
      if (offset + size < total) {
        const next = new URLSearchParams(req.query);
        next.set('$skiptoken', String(offset + size));
        body['@odata.nextLink'] = `${cloud.graphEndpoint}${req.url.pathname}?${next.toString()}`;
      }
      return reply(200, body);
    });
    cloud.graph.on('GET', '/users/{id}/drive', (req) => {
      const i = Number(/^u(\d+)$/.exec(req.params.id)?.[1] ?? NaN);
      if (!Number.isInteger(i) || i >= total) return graphError(404, 'Request_ResourceNotFound');
      return provisioned(i)
        ? reply(200, { id: `b!drive${i}`, driveType: 'business' })
        : graphError(404, 'itemNotFound', "User's mysite not found.");
    });
    cloud.graph.on('GET', '/organization', {
      value: [{ verifiedDomains: [{ name: tenant.domain, isInitial: true }] }],
    });
    cloud.graph.throttleBatches({ every: throttleEvery, retryAfterSeconds: 1 });

    log(
      `provisioning: checking ${count(wantLicensed)} licensed users of ${count(total)}; 1 in ${throttleEvery} look-ups throttled`,
    );
    const result = await runChild(tenant.id, cloud.gatewayOptions());
    const served = cloud.graph.served;
    const done = /Checked all ([\d,]+) licensed users of ([\d,]+) users/.exec(result.found);
    // A run the time budget stopped says "checked N licensed users of …": its rate still counts.
    const partial = /checked ([\d,]+) licensed users of/.exec(result.found);
    const checked = Number((done ?? partial)?.[1].replace(/,/g, '') ?? NaN);
    const missingFound = Number(
      /^([\d,]+) licensed users? ha(?:s|ve) no OneDrive/.exec(result.found)?.[1]?.replace(/,/g, '') ?? NaN,
    );
    const complete = checked === wantLicensed && missingFound === wantMissing;
    const peak = Math.max(result.vmHwm, result.peakRssSampled);
    const perSecond = checked / (result.ms / 1000);
    return {
      title: `Diagnostics: OneDrive provisioning check (${count(wantLicensed)} licensed users, $batch, throttling on)`,
      rows: [
        {
          measure: 'checked completely (licensed users, without a OneDrive)',
          bot: `${Number.isFinite(checked) ? count(checked) : '—'}, ${Number.isFinite(missingFound) ? count(missingFound) : '—'}`,
          baseline: `${count(wantLicensed)}, ${count(wantMissing)} expected`,
          ratio: '—',
          target: 'all',
          verdict: complete ? 'ok' : 'FAIL',
        },
        {
          measure: 'time',
          bot: ms(result.ms),
          baseline: '—',
          ratio: '—',
          target: '< 10 min',
          verdict: atMost(result.ms, 600_000),
        },
        {
          measure: 'users checked per second',
          bot: perSecond.toFixed(0),
          baseline: '—',
          ratio: '—',
          target: '',
          verdict: '',
        },
        {
          measure: 'HTTP requests to Graph per user ($batch, pages, $count)',
          bot: (served.requests / checked).toFixed(3),
          baseline: '—',
          ratio: '—',
          target: '',
          verdict: '',
        },
        {
          measure: 'look-ups per user (inside batches, retries included)',
          bot: (served.batchedRequests / checked).toFixed(3),
          baseline: '—',
          ratio: '—',
          target: '',
          verdict: '',
        },
        {
          measure: 'peak RSS of the check process',
          bot: mb(peak),
          baseline: '—',
          ratio: '—',
          target: '< 250 MB',
          verdict: atMost(peak, 250 * MB),
        },
      ],
      notes: [
        `${count(served.batches)} batches, ${count(served.throttledInBatch)} look-ups answered 429 (Retry-After 1 s) inside a batch and retried, ${count(result.retriedWaits)} waits; ${count(result.progressReports)} progress reports for the card; the fake Graph runs in the bench process, the check in its own (VmHWM ${mb(result.vmHwm)}).`,
        ...(complete ? [] : [`the check said: ${result.found}`]),
      ],
    };
  } finally {
    await cloud.stop();
  }
}
